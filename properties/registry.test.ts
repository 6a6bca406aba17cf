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
  it('gives every claim at least one rival control that is expected to fail', () => {
    const rivals = new Set(registry.filter((c) => c.control && expectedStatus(c) === 'fails').flatMap((c) => rivalTargets(c.rivalOf)));
    expect(registry.filter((c) => !c.control && !rivals.has(c.id)).map((c) => c.id)).toEqual([]);
  });
});
