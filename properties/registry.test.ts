// The registry's promises about rivals (DESIGN.md "Rivals and power"): every claim names at least one rival control,
// a rival is a control, and it names registered claims. Read by REPORT.md's rival and power columns.
import { describe, expect, it } from 'vitest';
import { expectedStatus } from '../core/claim.ts';
import { rivalTargets } from '../core/report/audit.ts';
import { registry } from '../experiments/index.ts';

describe('claim registry', () => {
  const byId = new Map(registry.map((c) => [c.id, c]));
  it('has unique ids', () => {
    expect(byId.size).toBe(registry.length);
  });
  it('gives rivalOf only to controls, naming registered claims that are not controls', () => {
    const bad = registry.flatMap((c) =>
      rivalTargets(c.rivalOf).flatMap((t) => {
        if (!c.control) return [`${c.id}: rivalOf on a claim that is not a control`];
        const target = byId.get(t);
        if (!target) return [`${c.id}: rival of unknown claim ${t}`];
        return target.control ? [`${c.id}: rival of a control (${t})`] : [];
      }),
    );
    expect(bad).toEqual([]);
  });
  it('gives every claim at least one rival control', () => {
    const rivals = new Set(registry.filter((c) => c.control).flatMap((c) => rivalTargets(c.rivalOf)));
    expect(registry.filter((c) => !c.control && !rivals.has(c.id)).map((c) => c.id)).toEqual([]);
  });
  // A rival expected to "hold" is a measured lack of power (REPORT.md shows it); every claim still needs one rival
  // that its judge is expected to reject, unless that claim is itself not expected to hold.
  it('gives every claim expected to hold a rival that is expected to fail, or says in the rival why not', () => {
    const failing = new Set(registry.filter((c) => c.control && expectedStatus(c) === 'fails').flatMap((c) => rivalTargets(c.rivalOf)));
    const powerless = registry.filter((c) => !c.control && expectedStatus(c) === 'holds' && !failing.has(c.id)).map((c) => c.id);
    const explained = new Set(registry.filter((c) => c.control && expectedStatus(c) !== 'fails').flatMap((c) => rivalTargets(c.rivalOf)));
    expect(powerless.filter((id) => !explained.has(id))).toEqual([]);
  });
});
