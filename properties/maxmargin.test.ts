// Implicit bias / max margin: the `maxmargin` tool contract and the claims' verdicts. The judges' exact properties on
// synthetic trajectories are in properties/judges/maxmargin.test.ts; those of theory/maxmargin.ts and
// theory/homogeneous.ts in properties/theory/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/formats.ts';
import { maxmarginTool } from '../cli/tools/maxmargin.ts';
import { claims } from '../experiments/maxmargin/index.ts';
import { absorbLabels, angleBetween, gradientDescent, sigmaMaxSq } from '../theory/maxmargin.ts';
import { matFromRows } from '../theory/mlp.ts';
import { expectVerdicts, FC } from './helpers.ts';


describe('maxmargin tool (DESIGN.md contract)', () => {
  const data = { x: [[1, 0.3], [0.2, 1.1], [-2, -1.5], [1.5, 2.5], [3, 0.8], [0.9, 2.8]], y: [1, 1, -1, 1, 1, 1] };

  it('returns the margin-one SVM, its geometric margin, and GD w(T) with its angle to ŵ', () => {
    const out = maxmarginTool(data, { steps: 1000 });
    expect(Object.keys(out).sort()).toEqual(['gd', 'svm']);
    expect(Object.keys(out.svm).sort()).toEqual(['margin', 'w']);
    expect(Object.keys(out.gd).sort()).toEqual(['angleToSvm', 'steps', 'w']);
    expect(out.svm.w[0]).toBeCloseTo(10 / 13, 14);
    expect(out.svm.margin).toBeCloseTo(13 / (10 * Math.SQRT2), 14);
    expect(out.gd.steps).toBe(1000);
    const Z = absorbLabels(matFromRows(data.x), data.y);
    const g = gradientDescent(Z, { loss: 'logistic', eta: 1 / sigmaMaxSq(Z), steps: 1000 });
    expect(out.gd.w).toEqual(Array.from(g.w));
    expect(out.gd.angleToSvm).toBe(angleBetween(g.w, out.svm.w));
    const e = maxmarginTool(data, { loss: 'exp', steps: 10 });
    const ge = gradientDescent(Z, { loss: 'exp', eta: 1 / (6 * sigmaMaxSq(Z)), steps: 10 });
    expect(e.gd.w).toEqual(Array.from(ge.w));
  });

  it('refuses bad input with an InputError that names the field', () => {
    expect(() => maxmarginTool({ x: [[1, 0.3], [0.2, 1.1], [0.5, 0.5]], y: [1, 1, -1] }, { steps: 10 })).toThrow(/not linearly separable/);
    expect(() => maxmarginTool({ x: [[1, 0]], y: [0] })).toThrow(/data\.y\[0\]/);
    expect(() => maxmarginTool(data, { steps: 0 })).toThrow(/--steps/);
    expect(() => maxmarginTool(data, { loss: 'hinge' })).toThrow(/--loss/);
    expect(() => maxmarginTool({ x: [[1, 0]], y: [1, 1] })).toThrow(InputError);
  });

  it('the CLI exits 2 with one line saying the data are not separable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maxmargin-'));
    const file = join(dir, 'd.json');
    writeFileSync(file, JSON.stringify({ x: [[1, 0.3], [0.2, 1.1], [0.5, 0.5]], y: [1, 1, -1] }));
    const r = spawnSync(process.execPath, ['bin/dlclaims.mjs', 'maxmargin', '--data', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => !l.includes('npm warn'))).toHaveLength(1);
    expect(r.stderr).toMatch(/not linearly separable/);
  });
});

expectVerdicts(claims, 'maxmargin');

describe('maxmargin tool: corrupted input is refused in one line or answered with finite JSON', () => {
  type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
  const finiteJson = (v: unknown): boolean =>
    typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) ? v.every(finiteJson) : v && typeof v === 'object' ? Object.values(v).every(finiteJson) : true;
  const validData = fc.record({ n: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: 1, max: 3 }) }).chain(({ n, d }) =>
    fc.record({
      x: fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d }), { minLength: n, maxLength: n }),
      y: fc.array(fc.constantFrom(1, -1), { minLength: n, maxLength: n }),
    }),
  );
  const mutate = (doc: Json, kind: number, pick: number): Json => {
    const copy = JSON.parse(JSON.stringify(doc)) as Json;
    const nodes: [any, string | number][] = [];
    const walk = (v: any) => {
      if (v && typeof v === 'object') for (const k of Object.keys(v)) (nodes.push([v, Array.isArray(v) ? Number(k) : k]), walk(v[k]));
    };
    walk(copy);
    const [parent, key] = nodes[pick % nodes.length]!;
    if (kind === 0) parent[key] = null;
    else if (kind === 1) parent[key] = 'NaN';
    else if (kind === 2) parent[key] = [parent[key]];
    else if (kind === 3) parent[key] = [];
    else if (kind === 4) parent[key] = 1e300;
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return copy;
  };
  it('never crashes', () => {
    let refused = 0;
    fc.assert(
      fc.property(validData, fc.integer({ min: 0, max: 5 }), fc.nat(1000), (data, kind, pick) => {
        try {
          const out = maxmarginTool(mutate(data as Json, kind, pick), { steps: 50 });
          expect(finiteJson(out)).toBe(true);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          expect(e.message).not.toContain('\n');
          refused++;
        }
        // Valid data too: separable ones are answered, the rest refused as not separable.
        try {
          expect(finiteJson(maxmarginTool(data, { steps: 50 }))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect((e as Error).message).toMatch(/not linearly separable|magnitudes within/);
        }
      }),
      { ...FC, numRuns: 300 },
    );
    expect(refused).toBeGreaterThan(100);
  });
});
