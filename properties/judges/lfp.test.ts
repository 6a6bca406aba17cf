// Exact properties of the Linear Frequency Principle judges (experiments/lfp/): the agreement rule over seeds, the
// stall detector, the mean interval, and the three claims' judges, fed synthetic seed runs. Light: nothing here
// trains, so it runs under mutation testing (vitest.mutation.config.ts). The claims' CI-tier verdicts and the `lfp`
// tool stay in properties/lfp.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agreementVerdict, isStalled, meanInterval, STALL_TOLERANCE, type MedianRule, type SeedRun } from '../../experiments/lfp/common.ts';
import { lfp1d } from '../../experiments/lfp/regimes.ts';
import { lfpWidthTrend } from '../../experiments/lfp/width-trend.ts';
import { lfpXor } from '../../experiments/lfp/xor.ts';
import { rngFromKey } from '../../core/rng.ts';
import { logLogFit, mean, tQuantile } from '../../core/stats.ts';
import { FC } from '../helpers.ts';

const seedRun = (width: number, distLfp: number | null, over: Partial<SeedRun> = {}): SeedRun => ({
  seed: 0, width, coef: { a: 1, b: 1 }, kappa: 1, momentum: 0, steps: 10, residual: 1e-4, converged: true, divergedAt: null, stalled: false,
  distLfp, distCubic: 0.01, distLinear: 0.3, net: [], lfp: [], trace: [], ...over,
});

/** The rule as documented on agreementVerdict (common.ts), written from its comment. */
function expectedAgreement(runs: SeedRun[], threshold: number, shape?: 'cubic' | 'linear', median?: MedianRule): string {
  const n = runs.length;
  const decided = runs.filter((r) => r.converged || r.stalled);
  const isOver = (r: SeedRun, cap: number) => r.stalled || r.distLfp === null || r.distLfp >= cap;
  const over = decided.filter((r) => isOver(r, threshold)).length;
  const wrong = shape
    ? decided.filter((r) => {
        const own = shape === 'cubic' ? r.distCubic : r.distLinear;
        const other = shape === 'cubic' ? r.distLinear : r.distCubic;
        return !(own !== null && other !== null && own < other);
      }).length
    : 0;
  const majority = 2 * over > n || 2 * wrong > n;
  if (decided.length < n && !majority) return 'inconclusive';
  const holds = median ? 2 * over < n && decided.every((r) => !isOver(r, median.outlierCap)) && wrong === 0 : over === 0 && wrong === 0;
  return holds ? 'holds' : majority ? 'fails' : 'inconclusive';
}

// A copy of common.ts's fmt on purpose: fmt is mutated too, and expected strings built with it would follow a mutant.
const fmt3 = (x: number | null) => (x === null ? 'n/a' : Number(x.toPrecision(3)).toString());

/** A random seed run: converged, stalled, still moving or diverged; distances around the threshold 0.1. */
const arbRun = fc
  .record({
    kind: fc.constantFrom('converged', 'converged', 'converged', 'stalled', 'moving', 'diverged'),
    dist: fc.option(fc.constantFrom(0.02, 0.0999, 0.1, 0.1001, 0.15, 0.2, 0.25), { nil: null, freq: 8 }),
    cubic: fc.option(fc.constantFrom(0.01, 0.1, 0.3), { nil: null, freq: 8 }),
    linear: fc.option(fc.constantFrom(0.01, 0.1, 0.3), { nil: null, freq: 8 }),
    seed: fc.nat(99),
  })
  .map(({ kind, dist, cubic, linear, seed }) =>
    seedRun(64, dist, {
      seed,
      distCubic: cubic,
      distLinear: linear,
      converged: kind === 'converged',
      stalled: kind === 'stalled',
      divergedAt: kind === 'diverged' ? 40 + seed : null,
      residual: kind === 'converged' ? 1e-4 : 0.25,
    }),
  );
const arbRule = fc.option(fc.constantFrom<MedianRule>({ outlierCap: 0.2 }, { outlierCap: 0.15 }), { nil: undefined });
const arbShape = fc.option(fc.constantFrom<'cubic' | 'linear'>('cubic', 'linear'), { nil: undefined });

describe('agreementVerdict (experiments/lfp/common.ts)', () => {
  it('under threshold holds, far fails, wrong shape fails, diverged is inconclusive', () => {
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

  it('follows its documented rule on random mixes of converged, stalled, moving and diverged seeds', () => {
    fc.assert(
      fc.property(fc.array(arbRun, { minLength: 1, maxLength: 7 }), arbShape, arbRule, (runs, shape, rule) => {
        expect(agreementVerdict(runs, 0.1, shape, rule).status).toBe(expectedAgreement(runs, 0.1, shape, rule));
      }),
      { ...FC, numRuns: 400 },
    );
  });

  it('the threshold and the cap are strict: a distance equal to them is over, just below is under', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1, noNaN: true }), fc.integer({ min: 1, max: 6 }), (thr, n) => {
        const at = Array.from({ length: n }, (_, i) => seedRun(1, thr, { seed: i }));
        const below = Array.from({ length: n }, (_, i) => seedRun(1, thr * (1 - 1e-12), { seed: i }));
        expect(agreementVerdict(at, thr).status).toBe('fails');
        expect(agreementVerdict(below, thr).status).toBe('holds');
        // Median rule: one seed exactly at the cap blocks "holds", just below it does not.
        const cap = 2 * thr;
        const mix = (top: number) => [...below, ...below, seedRun(1, top, { seed: 99 })]; // one seed over the threshold of 2n + 1
        expect(agreementVerdict(mix(cap), thr, undefined, { outlierCap: cap }).status).toBe('inconclusive');
        expect(agreementVerdict(mix(cap * (1 - 1e-12)), thr, undefined, { outlierCap: cap }).status).toBe('holds');
      }),
      FC,
    );
  });

  it('the shape test is strict: equal distances to both splines, or a missing one, is the wrong shape', () => {
    const r = (cubic: number | null, linear: number | null) => [seedRun(1, 0.01, { distCubic: cubic, distLinear: linear })];
    expect(agreementVerdict(r(0.1, 0.1), 0.1, 'cubic').status).toBe('fails');
    expect(agreementVerdict(r(0.1, 0.1), 0.1, 'linear').status).toBe('fails');
    expect(agreementVerdict(r(0.1 * (1 - 1e-12), 0.1), 0.1, 'cubic').status).toBe('holds');
    expect(agreementVerdict(r(0.1, 0.1 * (1 - 1e-12)), 0.1, 'linear').status).toBe('holds');
    expect(agreementVerdict(r(null, 0.3), 0.1, 'cubic').status).toBe('fails');
    expect(agreementVerdict(r(0.01, null), 0.1, 'cubic').status).toBe('fails');
    expect(agreementVerdict(r(0.01, 0.3), 0.1).status).toBe('holds'); // no shape asked (2-D)
  });

  it('monotone: moving any seed\'s distance up can never turn a non-"holds" verdict into "holds", nor "fails" into anything else', () => {
    fc.assert(
      fc.property(fc.array(arbRun, { minLength: 1, maxLength: 6 }), fc.nat(5), fc.double({ min: 0, max: 0.3, noNaN: true }), arbShape, arbRule, (runs, pick, up, shape, rule) => {
        const j = pick % runs.length;
        const worse = runs.map((r, i) => (i === j && r.distLfp !== null ? { ...r, distLfp: r.distLfp + up } : r));
        const a = agreementVerdict(runs, 0.1, shape, rule).status;
        const b = agreementVerdict(worse, 0.1, shape, rule).status;
        if (a !== 'holds') expect(b).not.toBe('holds');
        if (a === 'fails') expect(b).toBe('fails');
      }),
      { ...FC, numRuns: 300 },
    );
  });

  it('the evidence names every seed\'s distance, the threshold, the counts and the undecided seed', () => {
    const d = [0.0312345, 0.2, 0.25];
    const runs = d.map((x, i) => seedRun(1, x, { seed: i }));
    const f = agreementVerdict(runs, 0.1, 'cubic');
    expect(f.why).toBe(`relative L2 to LFP ${d.map(fmt3).join(', ')}: 2 of 3 seeds ≥ 0.1; 0 not closer to the cubic spline`);
    expect(agreementVerdict([seedRun(1, null), seedRun(1, 0.3)], 0.1).why).toBe('relative L2 to LFP n/a, 0.3: 2 of 2 seeds ≥ 0.1'); // a missing distance is over
    const h = agreementVerdict(runs.slice(0, 1), 0.1, 'cubic');
    expect(h.why).toBe('relative L2 to LFP 0.0312 < 0.1 in all 1 seeds, each closer to the cubic spline');
    const med = agreementVerdict([seedRun(1, 0.05), seedRun(1, 0.07), seedRun(1, 0.12)], 0.1, undefined, { outlierCap: 0.2 });
    expect(med.status).toBe('holds');
    expect(med.why).toBe('relative L2 to LFP 0.05, 0.07, 0.12: median 0.07, 1 of 3 seeds ≥ 0.1, all < 0.2');
    const mixed = agreementVerdict([seedRun(1, 0.05), seedRun(1, 0.5, { seed: 3, converged: false, stalled: true, residual: 0.0874 })], 0.1, undefined, { outlierCap: 0.2 });
    expect(mixed.status).toBe('inconclusive');
    expect(mixed.why).toBe('mixed seeds: relative L2 0.05, 0.5 against 0.1 (median Infinity, cap 0.2); 0 of the wrong shape; 1 stalled without interpolating (residual 0.0874), counted over');
    const moving = agreementVerdict([seedRun(1, 0.05), seedRun(80, 0.05, { seed: 7, converged: false, residual: 0.41, steps: 20000 })], 0.1);
    expect(moving).toEqual({ status: 'inconclusive', why: 'seed 7 (width 80) did not converge: residual 0.41 after 20000 steps' });
    const diverged = agreementVerdict([seedRun(1, 0.05), seedRun(80, null, { seed: 7, converged: false, divergedAt: 123 })], 0.1);
    expect(diverged).toEqual({ status: 'inconclusive', why: 'seed 7 (width 80) diverged at step 123' });
    const outvoted = agreementVerdict([seedRun(1, 0.3), seedRun(1, 0.4), seedRun(80, null, { seed: 7, converged: false, divergedAt: 5 })], 0.1);
    expect(outvoted.status).toBe('fails');
    expect(outvoted.why).toContain('; 1 undecided (seed 7 (width 80) diverged at step 5), which cannot change the majority');
  });
});

describe('isStalled (experiments/lfp/common.ts)', () => {
  const trace = (vals: number[]) => vals.map((residual, i) => ({ step: i * 100, residual }));
  const run = (vals: number[], over = {}) => ({ converged: false, divergedAt: null, steps: (vals.length - 1) * 100, residual: vals.at(-1)!, trace: trace(vals), ...over });

  it('a flat residual over the second half of the budget, and only for non-converged, non-diverged runs', () => {
    expect(isStalled(run([1, 0.2, 0.0874, 0.0874, 0.0874]))).toBe(true);
    expect(isStalled(run([1, 1, 1, 1, 1]))).toBe(true);
    expect(isStalled(run([1, 0.6, 0.5, 0.45, 0.41]))).toBe(false);
    expect(isStalled(run([1, 0.5, 0.2, 0.2 * (1 + 0.5 * STALL_TOLERANCE), 0.2]))).toBe(true);
    expect(isStalled(run([1, 0.5, 0.2, 0.2, 0.2 * (1 - 3 * STALL_TOLERANCE)]))).toBe(false);
    expect(isStalled(run([1, 0.1, 0.1, 0.1, 0.1], { converged: true }))).toBe(false);
    expect(isStalled(run([1, 0.1, 0.1, 0.1, 0.1], { divergedAt: 3 }))).toBe(false);
    expect(isStalled(run([1, 0.1]))).toBe(false); // no trace point strictly inside the run
    expect(isStalled(run([1, 0.1, 0.1], { residual: null }))).toBe(false);
  });

  it('compares the last residual with the first trace point at or after half the steps, within STALL_TOLERANCE relative', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 2, maxLength: 9 }), fc.constantFrom(0, 0.5, 1 - 1e-6, 1 + 1e-6, 2, -0.5, -(1 - 1e-6), -(1 + 1e-6)), (vals, f) => {
        // Trace every 100 steps up to `steps`; the end residual is moved to a relative distance f·STALL_TOLERANCE
        // from the trace point at half the budget (|f| ≤ 1: stalled).
        const r = run(vals);
        const mid = r.trace.find((p) => p.step >= r.steps / 2)!;
        const last = mid.residual / (1 + f * STALL_TOLERANCE);
        const stalled = isStalled({ ...r, residual: last });
        expect(stalled).toBe(mid.step < r.steps && Math.abs(f) <= 1);
      }),
      FC,
    );
  });
});

describe('meanInterval (experiments/lfp/common.ts)', () => {
  it('the mean with a two-sided 95% t-interval (n − 1 d.f.); a single value is its own interval', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 10 }), (xs) => {
        const e = meanInterval(xs);
        const m = mean(xs);
        expect(e.value).toBe(m);
        if (xs.length === 1) {
          expect(e).toEqual({ value: m, lo: m, hi: m });
          return;
        }
        const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
        const h = (tQuantile(0.95, xs.length - 1) * sd) / Math.sqrt(xs.length);
        expect(e.hi - m).toBeCloseTo(h, 12);
        expect(m - e.lo).toBeCloseTo(h, 12);
      }),
      FC,
    );
    // n = 2, values 0 and 2: sd √2, t_{0.975,1} = 12.7062, half-width 12.7062·√2/√2.
    const e = meanInterval([0, 2]);
    expect(e.value).toBe(1);
    expect(e.hi - 1).toBeCloseTo(12.706205, 5);
  });
});

describe('lfp.width-trend judge', () => {
  const cfg = lfpWidthTrend.tiers.ci;
  const widths = [128, 512, 2048];
  /** Distances c·w^p with multiplicative seeded noise (4 seeds per width). */
  const ladder = (p: number, noise: number, key: string) => {
    const rng = rngFromKey(key);
    return widths.flatMap((w) => [0, 1, 2, 3].map((s) => seedRun(w, 0.3 * w ** p * Math.exp(noise * rng.normal()), { seed: s })));
  };

  it('a shrinking distance holds, a reversed one fails, a flat noisy one or a non-converged run is inconclusive', () => {
    const down = widths.flatMap((w) => [0, 1, 2].map((s) => seedRun(w, 0.5 * w ** -0.5 * (1 + 0.05 * s))));
    const up = widths.flatMap((w) => [0, 1, 2].map((s) => seedRun(w, 0.01 * w ** 0.3 * (1 + 0.05 * s))));
    expect(lfpWidthTrend.judge(down, { ...cfg, widths }).status).toBe('holds');
    expect(lfpWidthTrend.judge(up, { ...cfg, widths }).status).toBe('fails');
    const flat = widths.flatMap((w) => [0.5, 1.5, 1].map((f) => seedRun(w, 0.05 * w ** -0.02 * f)));
    expect(lfpWidthTrend.judge(flat, { ...cfg, widths }).status).toBe('inconclusive');
    down[4] = seedRun(512, 0.02, { converged: false, residual: 0.5 });
    expect(lfpWidthTrend.judge(down, { ...cfg, widths }).status).toBe('inconclusive');
  });

  it('holds iff the 95% interval of the log-log slope is below 0, fails iff the slope is ≥ 0; the evidence names them', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.8, max: 0.8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(1e6), (p, noise, seed) => {
        const runs = ladder(p, noise, `lfp-trend/${seed}`);
        const fit = logLogFit(runs.map((r) => r.width), runs.map((r) => r.distLfp!));
        const v = lfpWidthTrend.judge(runs, { ...cfg, widths });
        expect(v.status).toBe(fit.ci.hi < 0 ? 'holds' : fit.slope >= 0 ? 'fails' : 'inconclusive');
        expect(v.metrics.slope).toEqual({ value: fit.slope, lo: fit.ci.lo, hi: fit.ci.hi });
        expect(v.reason).toContain(`log-log slope of the network↔LFP distance on width ${fmt3(fit.slope)} [${fmt3(fit.ci.lo)}, ${fmt3(fit.ci.hi)}] over 12 runs (widths 128, 512, 2048)`);
        // The same distances with the widths reversed: the slope changes sign, so "holds" becomes "fails".
        const flipped = runs.map((r) => ({ ...r, width: widths[2 - widths.indexOf(r.width)]! }));
        if (v.status === 'holds') expect(lfpWidthTrend.judge(flipped, { ...cfg, widths }).status).toBe('fails');
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('any non-converged, missing or non-positive distance is inconclusive, naming the width and seed', () => {
    const base = ladder(-0.5, 0.05, 'lfp-trend/bad');
    const with_ = (over: Partial<SeedRun>) => base.map((r, i) => (i === 5 ? { ...r, ...over } : r));
    const nc = lfpWidthTrend.judge(with_({ converged: false, residual: 0.123, steps: 999 }), { ...cfg, widths });
    expect(nc.status).toBe('inconclusive');
    expect(nc.reason).toBe('width 512 seed 1 did not converge (residual 0.123 after 999 steps)');
    const dv = lfpWidthTrend.judge(with_({ converged: false, divergedAt: 77 }), { ...cfg, widths });
    expect(dv.reason).toBe('width 512 seed 1 diverged at step 77');
    expect(lfpWidthTrend.judge(with_({ distLfp: null }), { ...cfg, widths }).status).toBe('inconclusive');
    expect(lfpWidthTrend.judge(with_({ distLfp: 0 }), { ...cfg, widths }).status).toBe('inconclusive');
    expect(nc.metrics.slope).toBeNull();
  });

  /** perWidth as documented: per configured width, that width's distances in run order and the mean of the non-null ones. */
  const expectedPerWidth = (runs: SeedRun[], ws: number[]) =>
    ws.map((w) => {
      const dists = runs.filter((r) => r.width === w).map((r) => r.distLfp);
      const ok = dists.filter((x): x is number => x !== null);
      return { width: w, meanDistLfp: ok.length ? mean(ok) : null, dists };
    });

  it('reports per width the distances and their mean, with the fit\'s intercept and R², on every path', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.8, max: 0.8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(1e6), (p, noise, seed) => {
        const runs = ladder(p, noise, `lfp-trend/per/${seed}`);
        const v = lfpWidthTrend.judge(runs, { ...cfg, widths });
        const fit = logLogFit(runs.map((r) => r.width), runs.map((r) => r.distLfp!));
        expect(v.metrics.perWidth).toEqual(expectedPerWidth(runs, widths));
        expect(v.metrics.intercept).toBe(fit.intercept);
        expect(v.metrics.r2).toBe(fit.r2);
      }),
      { ...FC, numRuns: 40 },
    );
    // By hand: width 512 has one missing distance (so the claim is inconclusive), its mean is over the other three;
    // width 4096 is configured but has no run: no distances, no mean.
    const ws = [...widths, 4096];
    const d: Record<number, (number | null)[]> = { 128: [0.4, 0.2, 0.3, 0.1], 512: [0.2, null, 0.1, 0.3], 2048: [0.05, 0.05, 0.08, 0.02] };
    const runs = widths.flatMap((w) => d[w]!.map((x, s) => seedRun(w, x, { seed: s })));
    const v = lfpWidthTrend.judge(runs, { ...cfg, widths: ws });
    expect(v.status).toBe('inconclusive');
    expect(v.metrics.slope).toBeNull();
    const per = v.metrics.perWidth as { width: number; meanDistLfp: number | null; dists: (number | null)[] }[];
    expect(per.map((x) => x.width)).toEqual(ws);
    expect(per.map((x) => x.dists)).toEqual([d[128], d[512], d[2048], []]);
    expect(per[0]!.meanDistLfp).toBeCloseTo(0.25, 14);
    expect(per[1]!.meanDistLfp).toBeCloseTo(0.2, 14); // (0.2 + 0.1 + 0.3) / 3, the null left out
    expect(per[2]!.meanDistLfp).toBeCloseTo(0.05, 14);
    expect(per[3]!.meanDistLfp).toBeNull();
    // A seed whose distance is null at the only position of its width: no mean for that width.
    const lone = lfpWidthTrend.judge([seedRun(128, 0.3), seedRun(512, null)], { ...cfg, widths: [128, 512] });
    expect(lone.metrics.perWidth).toEqual([{ width: 128, meanDistLfp: 0.3, dists: [0.3] }, { width: 512, meanDistLfp: null, dists: [null] }]);
  });

  it('the reason ends with what decided: "below 0" (holds), "not negative" (fails), "interval reaches 0" (inconclusive)', () => {
    const tail = { holds: '; below 0.', fails: '; not negative.', inconclusive: '; interval reaches 0.' } as const;
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.double({ min: -0.8, max: 0.8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(1e6), (p, noise, seed) => {
        const v = lfpWidthTrend.judge(ladder(p, noise, `lfp-trend/tail/${seed}`), { ...cfg, widths });
        seen.add(v.status);
        expect(v.reason.endsWith(tail[v.status])).toBe(true);
      }),
      { ...FC, numRuns: 60 },
    );
    // Each branch by construction: exact w^−1/2 (interval below 0), exact w^+0.3 (slope ≥ 0), and a noisy flat ladder.
    const exact = (p: number) => widths.flatMap((w) => [0, 1, 2].map((s) => seedRun(w, 0.3 * w ** p * (1 + 0.01 * s), { seed: s })));
    const flat = widths.flatMap((w) => [0.5, 1.5, 1].map((f, s) => seedRun(w, 0.05 * w ** -0.02 * f, { seed: s })));
    for (const [runs, st] of [[exact(-0.5), 'holds'], [exact(0.3), 'fails'], [flat, 'inconclusive']] as const) {
      const v = lfpWidthTrend.judge(runs, { ...cfg, widths });
      expect(v.status).toBe(st);
      expect(v.reason.endsWith(tail[st])).toBe(true);
      seen.add(st);
    }
    expect([...seen].sort()).toEqual(['fails', 'holds', 'inconclusive']);
  });
});

describe('lfp.1d judge (regimes.ts): every regime must hold', () => {
  const regimes = lfp1d.tiers.ci.regimes as { name: string; threshold: number; shape: 'cubic' | 'linear' }[];
  const cfg = lfp1d.tiers.ci;

  it('is the worst of the regimes\' agreement verdicts (inconclusive > fails > holds), each named in the reason', () => {
    fc.assert(
      fc.property(fc.array(fc.array(arbRun, { minLength: 1, maxLength: 4 }), { minLength: regimes.length, maxLength: regimes.length }), (perRegime) => {
        const m = regimes.map((r, i) => ({ name: r.name, runs: perRegime[i]! }));
        const v = lfp1d.judge(m, cfg);
        const each = regimes.map((r, i) => expectedAgreement(perRegime[i]!, r.threshold, r.shape));
        const status = each.includes('inconclusive') ? 'inconclusive' : each.includes('fails') ? 'fails' : 'holds';
        expect(v.status).toBe(status);
        regimes.forEach((r, i) => {
          expect(v.reason).toContain(`${r.name}: ${agreementVerdict(perRegime[i]!, r.threshold, r.shape).why}.`);
          const met = (v.metrics as Record<string, { status: string; threshold: number; distLfp: unknown }>)[r.name]!;
          expect(met.status).toBe(each[i]);
          expect(met.threshold).toBe(r.threshold);
          const all = perRegime[i]!.every((s) => s.distLfp !== null && s.distCubic !== null && s.distLinear !== null);
          expect(met.distLfp).toEqual(all ? meanInterval(perRegime[i]!.map((s) => s.distLfp!)) : null);
        });
      }),
      FC,
    );
  });

  // Seed runs for the regimes by hand: `good` is under both thresholds (0.08, 0.2) and closer to its own spline.
  const cubicRun = (d: number, s: number) => seedRun(4000, d, { seed: s, distCubic: 0.01 + 0.01 * s, distLinear: 0.3 + 0.02 * s });
  const linearRun = (d: number, s: number) => seedRun(10000, d, { seed: s, distCubic: 0.25 + 0.03 * s, distLinear: 0.02 + 0.005 * s });

  it('all regimes holding holds; one failing while the other holds fails; the reason joins the regimes with a space', () => {
    expect(regimes.map((r) => r.name)).toEqual(['cubic', 'linear']);
    const cubicOk = [0.03, 0.05, 0.04].map(cubicRun);
    const linearOk = [0.1, 0.15, 0.12].map(linearRun);
    const linearFar = [0.3, 0.4, 0.25].map(linearRun);
    const cubicFar = [0.1, 0.2, 0.3].map(cubicRun);
    const cases: [SeedRun[], SeedRun[], string][] = [
      [cubicOk, linearOk, 'holds'],
      [cubicOk, linearFar, 'fails'],
      [cubicFar, linearOk, 'fails'],
      [cubicFar, linearFar, 'fails'],
    ];
    for (const [c, l, want] of cases) {
      const wc = agreementVerdict(c, 0.08, 'cubic');
      const wl = agreementVerdict(l, 0.2, 'linear');
      expect([wc.status, wl.status]).toEqual([expectedAgreement(c, 0.08, 'cubic'), expectedAgreement(l, 0.2, 'linear')]);
      const v = lfp1d.judge([{ name: 'cubic', runs: c }, { name: 'linear', runs: l }], cfg);
      expect(v.status).toBe(want);
      expect(v.reason.startsWith(`cubic: ${wc.why}. linear: `)).toBe(true);
      expect(v.reason.endsWith(`linear: ${wl.why}.`)).toBe(true);
    }
  });

  it('reports per regime the mean intervals of the distances to LFP and to both splines, and each seed', () => {
    const c = [0.03, 0.05, 0.04].map(cubicRun);
    const l = [0.1, 0.15, 0.12].map(linearRun);
    const v = lfp1d.judge([{ name: 'cubic', runs: c }, { name: 'linear', runs: l }], cfg);
    const met = v.metrics as Record<string, Record<string, unknown>>;
    for (const [name, runs, width] of [['cubic', c, 4000], ['linear', l, 10000]] as const) {
      expect(met[name]!.width).toBe(width);
      expect(met[name]!.distLfp).toEqual(meanInterval(runs.map((s) => s.distLfp!)));
      expect(met[name]!.distCubicSpline).toEqual(meanInterval(runs.map((s) => s.distCubic!)));
      expect(met[name]!.distLinearSpline).toEqual(meanInterval(runs.map((s) => s.distLinear!)));
      expect((met[name]!.seeds as { seed: number; distCubic: number }[]).map((x) => [x.seed, x.distCubic])).toEqual(runs.map((s) => [s.seed, s.distCubic]));
    }
    // cubic: distances to the cubic spline 0.01, 0.02, 0.03: mean 0.02, sd 0.01, half-width t_{0.975,2}·0.01/√3.
    const e = met.cubic!.distCubicSpline as { value: number; lo: number; hi: number };
    expect(e.value).toBeCloseTo(0.02, 14);
    expect(e.hi - e.value).toBeCloseTo((4.302653 * 0.01) / Math.sqrt(3), 6);
    // A missing spline distance leaves no intervals for that regime.
    const gap = lfp1d.judge([{ name: 'cubic', runs: [...c.slice(0, 2), { ...c[2]!, distLinear: null }] }, { name: 'linear', runs: l }], cfg);
    const gm = gap.metrics as Record<string, Record<string, unknown>>;
    expect([gm.cubic!.distLfp, gm.cubic!.distCubicSpline, gm.cubic!.distLinearSpline]).toEqual([null, null, null]);
    expect(gm.linear!.distLinearSpline).toEqual(meanInterval(l.map((s) => s.distLinear!)));
  });
});

describe('lfp.xor judge', () => {
  const cfg = lfpXor.tiers.ci;
  it('the median rule decides unless the LFP solver and the closed form disagree (> 1e-9: fails)', () => {
    fc.assert(
      fc.property(fc.array(arbRun, { minLength: 1, maxLength: 6 }), fc.constantFrom(0, 1e-12, 1e-9, 1.0000001e-9, 1e-3), (runs, gap) => {
        const v = lfpXor.judge({ runs, closedFormGap: gap }, cfg);
        const want = gap > 1e-9 ? 'fails' : expectedAgreement(runs, cfg.threshold, undefined, cfg.median);
        expect(v.status).toBe(want);
        if (gap > 1e-9) expect(v.reason).toBe(`LFP solver and XOR closed form differ by ${gap}`);
        else expect(v.reason).toBe(`${agreementVerdict(runs, cfg.threshold, undefined, cfg.median).why}.`);
        expect(v.metrics.closedFormGap).toBe(gap);
        expect(v.metrics.distLfp).toEqual(runs.every((r) => r.distLfp !== null) ? meanInterval(runs.map((r) => r.distLfp!)) : null);
      }),
      FC,
    );
  });
});
