// Linear Frequency Principle: the `lfp` tool's input checks, the judges on synthetic measurements, and the claims'
// verdicts. The exact properties of theory/lfp*.ts live in properties/theory/lfp*.test.ts (mutation-tested).
import { describe, expect, it } from 'vitest';
import { tool } from '../cli/tools/lfp.ts';
import { claims } from '../experiments/lfp/index.ts';
import { lfpWidthTrend } from '../experiments/lfp/width-trend.ts';
import { agreementVerdict, isStalled, STALL_TOLERANCE, type SeedRun } from '../experiments/lfp/common.ts';
import { expectVerdicts } from './helpers.ts';
import { InputError } from '../core/formats.ts';

describe('lfp tool input checks (exit 2 through InputError)', () => {
  const bad = (argv: string[]) => () => tool.run(argv);
  it('refuses missing or negative coefficients and degenerate nodes', () => {
    const dir = new URL('../fixtures/lfp/', import.meta.url).pathname;
    expect(bad(['--data', `${dir}c4-1d.json`, '--x', `${dir}c4-1d.json`, '--b', '1'])).toThrow(InputError);
    expect(bad(['--a', '-1', '--b', '1'])).toThrow(/--a/);
    expect(bad(['--a', '0', '--b', '0'])).toThrow(/not both zero/);
    expect(bad(['--a', 'x', '--b', '1'])).toThrow(InputError);
  });
});

describe('lfp judges on synthetic measurements', () => {
  const seedRun = (width: number, distLfp: number, over: Partial<SeedRun> = {}): SeedRun => ({
    seed: 0, width, coef: { a: 1, b: 1 }, kappa: 1, momentum: 0, steps: 10, residual: 1e-4, converged: true, divergedAt: null, stalled: false,
    distLfp, distCubic: 0.01, distLinear: 0.3, net: [], lfp: [], trace: [], ...over,
  });
  it('a shrinking distance holds, a reversed one fails, a flat noisy one or a non-converged run is inconclusive', () => {
    const widths = [128, 512, 2048];
    const cfg = lfpWidthTrend.tiers.ci;
    const down = widths.flatMap((w) => [0, 1, 2].map((s) => seedRun(w, 0.5 * w ** -0.5 * (1 + 0.05 * s))));
    const up = widths.flatMap((w) => [0, 1, 2].map((s) => seedRun(w, 0.01 * w ** 0.3 * (1 + 0.05 * s))));
    expect(lfpWidthTrend.judge(down, { ...cfg, widths }).status).toBe('holds');
    expect(lfpWidthTrend.judge(up, { ...cfg, widths }).status).toBe('fails');
    const flat = widths.flatMap((w) => [0.5, 1.5, 1].map((f) => seedRun(w, 0.05 * w ** -0.02 * f)));
    expect(lfpWidthTrend.judge(flat, { ...cfg, widths }).status).toBe('inconclusive');
    down[4] = seedRun(512, 0.02, { converged: false, residual: 0.5 });
    expect(lfpWidthTrend.judge(down, { ...cfg, widths }).status).toBe('inconclusive');
  });
  it('agreement: under threshold holds, far fails, wrong shape fails, diverged is inconclusive', () => {
    expect(agreementVerdict([seedRun(1, 0.02), seedRun(1, 0.03)], 0.08, 'cubic').status).toBe('holds');
    expect(agreementVerdict([seedRun(1, 0.2), seedRun(1, 0.3)], 0.08, 'cubic').status).toBe('fails');
    expect(agreementVerdict([seedRun(1, 0.02), seedRun(1, 0.03)], 0.08, 'linear').status).toBe('fails');
    expect(agreementVerdict([seedRun(1, 0.02), seedRun(1, 0.03, { converged: false, divergedAt: 7 })], 0.08).status).toBe('inconclusive');
  });
  it('a stalled seed (stuck without interpolating) counts as over the threshold; a still-moving one is undecided', () => {
    const stuck = seedRun(1, 0.02, { converged: false, stalled: true, residual: 0.087 });
    const moving = seedRun(1, 0.02, { converged: false, stalled: false, residual: 0.3 });
    // Even with a small grid distance a stalled seed blocks "holds": LFP's prediction interpolates, the net does not.
    expect(agreementVerdict([seedRun(1, 0.02), seedRun(1, 0.03), stuck], 0.08).status).toBe('inconclusive');
    expect(agreementVerdict([seedRun(1, 0.2), seedRun(1, 0.3), stuck], 0.08).status).toBe('fails');
    expect(agreementVerdict([seedRun(1, 0.02), stuck, { ...stuck, seed: 2 }], 0.08).status).toBe('fails');
    expect(agreementVerdict([seedRun(1, 0.02), seedRun(1, 0.03), moving], 0.08).status).toBe('inconclusive');
    // An undecided seed cannot overturn a majority already over the threshold: fails whatever it would have given.
    expect(agreementVerdict([seedRun(1, 0.2), seedRun(1, 0.3), seedRun(1, 0.4), seedRun(1, 0.02), moving], 0.08).status).toBe('fails');
    expect(agreementVerdict([seedRun(1, 0.2), seedRun(1, 0.3), seedRun(1, 0.02), seedRun(1, 0.02), moving], 0.08).status).toBe('inconclusive');
  });
  it('median rule: most seeds under and none above the cap holds; a wild seed or a majority over does not', () => {
    const rule = { outlierCap: 0.2 };
    const d = (xs: number[]) => xs.map((x, i) => seedRun(1, x, { seed: i }));
    expect(agreementVerdict(d([0.03, 0.05, 0.12, 0.04, 0.06]), 0.1, undefined, rule).status).toBe('holds');
    expect(agreementVerdict(d([0.03, 0.05, 0.12, 0.04, 0.06]), 0.1).status).toBe('inconclusive'); // every-seed rule
    expect(agreementVerdict(d([0.03, 0.05, 0.25, 0.04, 0.06]), 0.1, undefined, rule).status).toBe('inconclusive');
    expect(agreementVerdict(d([0.03, 0.15, 0.12, 0.04, 0.11]), 0.1, undefined, rule).status).toBe('fails');
    expect(agreementVerdict(d([0.03, 0.15, 0.12, 0.04]), 0.1, undefined, rule).status).toBe('inconclusive'); // a tie
    expect(agreementVerdict([...d([0.03, 0.05, 0.04, 0.06]), seedRun(1, 0.02, { converged: false, stalled: true })], 0.1, undefined, rule).status).toBe('inconclusive');
  });
  it('isStalled: a flat residual over the second half of the budget, and only for non-converged, non-diverged runs', () => {
    const trace = (vals: number[]) => vals.map((residual, i) => ({ step: i * 100, residual }));
    const run = (vals: number[], over = {}) => ({ converged: false, divergedAt: null, steps: (vals.length - 1) * 100, residual: vals.at(-1)!, trace: trace(vals), ...over });
    expect(isStalled(run([1, 0.2, 0.0874, 0.0874, 0.0874]))).toBe(true);
    expect(isStalled(run([1, 1, 1, 1, 1]))).toBe(true);
    expect(isStalled(run([1, 0.6, 0.5, 0.45, 0.41]))).toBe(false);
    expect(isStalled(run([1, 0.5, 0.2, 0.2 * (1 + 0.5 * STALL_TOLERANCE), 0.2]))).toBe(true);
    expect(isStalled(run([1, 0.5, 0.2, 0.2, 0.2 * (1 - 3 * STALL_TOLERANCE)]))).toBe(false);
    expect(isStalled(run([1, 0.1, 0.1, 0.1, 0.1], { converged: true }))).toBe(false);
    expect(isStalled(run([1, 0.1, 0.1, 0.1, 0.1], { divergedAt: 3 }))).toBe(false);
    expect(isStalled(run([1, 0.1]))).toBe(false); // no trace point strictly inside the run
  });
});

expectVerdicts(claims, 'lfp');
