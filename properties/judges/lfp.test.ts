// Exact properties of the Linear Frequency Principle judges (experiments/lfp/): the agreement rule over seeds, the
// stall detector, the mean interval, and the three claims' judges, fed synthetic seed runs. Light: nothing here
// trains, so it runs under mutation testing (vitest.mutation.config.ts). The claims' CI-tier verdicts and the `lfp`
// tool stay in properties/lfp.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agreementVerdict, closerRatio, closerVerdict, distanceInterval, isStalled, logMeanInterval, STALL_TOLERANCE, worse, type MedianRule, type SeedRun } from '../../experiments/lfp/common.ts';
import { lfpDynamicsClaim, lfpDynamicsRivalUniform, type DynamicsSeed } from '../../experiments/lfp/dynamics.ts';
import { lfp1d, lfp1dRivalCubic, lfp1dRivalLinear } from '../../experiments/lfp/regimes.ts';
import { lfpWidthTrend, lfpWidthTrendRivalCubic } from '../../experiments/lfp/width-trend.ts';
import { lfpXor, lfpXorRivalCubic } from '../../experiments/lfp/xor.ts';
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

describe('logMeanInterval and distanceInterval (experiments/lfp/common.ts)', () => {
  it('exp of the mean of the logs with exp of its two-sided 95% t-interval (n − 1 d.f.); one value is its own interval', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-4, max: 5, noNaN: true }), { minLength: 1, maxLength: 10 }), (xs) => {
        const e = logMeanInterval(xs);
        const logs = xs.map(Math.log);
        const m = mean(logs);
        expect(Math.log(e.value)).toBeCloseTo(m, 12);
        if (xs.length === 1) {
          expect(e.lo).toBe(e.value);
          expect(e.hi).toBe(e.value);
          return;
        }
        const sd = Math.sqrt(logs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
        const h = (tQuantile(0.95, xs.length - 1) * sd) / Math.sqrt(xs.length);
        expect(Math.log(e.hi) - m).toBeCloseTo(h, 10);
        expect(m - Math.log(e.lo)).toBeCloseTo(h, 10);
        expect(e.lo).toBeGreaterThan(0); // the point of the log scale: a distance's interval stays positive
      }),
      FC,
    );
    // By hand: 0.01 and 0.1 have geometric mean 10^-1.5; log-sd ln(10)/√2; half-width t_{0.975,1}·ln(10)/2.
    const e = logMeanInterval([0.01, 0.1]);
    expect(e.value).toBeCloseTo(10 ** -1.5, 14);
    expect(Math.log(e.hi / e.value)).toBeCloseTo((12.706205 * Math.log(10)) / 2, 5);
  });

  it('distanceInterval is null for no values, a missing one or one that is not > 0, else logMeanInterval', () => {
    expect(distanceInterval([])).toBeNull();
    expect(distanceInterval([0.1, null])).toBeNull();
    expect(distanceInterval([0.1, 0])).toBeNull();
    expect(distanceInterval([0.1, -0.2])).toBeNull();
    expect(distanceInterval([0.1, 0.2, 0.05])).toEqual(logMeanInterval([0.1, 0.2, 0.05]));
    expect(distanceInterval([Number.MIN_VALUE])).toEqual(logMeanInterval([Number.MIN_VALUE]));
  });
});

describe('closerVerdict (experiments/lfp/common.ts): closer to the prediction than to both alternatives', () => {
  /** Seeds with given ratios: distance to LFP = ratio × the nearer spline (0.2, the other 0.3). */
  const withRatios = (ratios: number[]) => ratios.map((q, i) => seedRun(4000, 0.2 * q, { seed: i, distCubic: 0.2, distLinear: 0.3 }));
  const expected = (ratios: number[], margin: number) => {
    const e = logMeanInterval(ratios);
    return e.hi < margin ? 'holds' : e.value >= 1 ? 'fails' : 'inconclusive';
  };

  it('the ratio is the distance to the prediction over the nearer of the two others; null if any is missing or not > 0', () => {
    const r = seedRun(1, 0.05, { distCubic: 0.2, distLinear: 0.1 });
    expect(closerRatio(r, 'lfp')).toBeCloseTo(0.5, 14);
    expect(closerRatio(r, 'cubic')).toBeCloseTo(4, 14);
    expect(closerRatio(r, 'linear')).toBeCloseTo(2, 14);
    expect(closerRatio({ ...r, distCubic: null }, 'lfp')).toBeNull();
    expect(closerRatio({ ...r, distLfp: null }, 'cubic')).toBeNull();
    expect(closerRatio({ ...r, distLfp: 0 }, 'lfp')).toBeNull();
    expect(closerRatio({ ...r, distLinear: 0 }, 'lfp')).toBeNull();
  });

  it('holds iff the interval\'s upper end is below the margin, fails iff the geometric mean is ≥ 1', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.05, max: 3, noNaN: true }), { minLength: 2, maxLength: 7 }), fc.constantFrom(0.5, 0.75, 0.9), (ratios, margin) => {
        const v = closerVerdict(withRatios(ratios), 'lfp', { margin });
        expect(v.status).toBe(expected(ratios, margin));
        expect(v.ratio!.value).toBeCloseTo(logMeanInterval(ratios).value, 12);
      }),
      FC,
    );
  });

  it('at the edges: upper end just under / at the margin, geometric mean just under / at 1', () => {
    // Equal ratios have a zero-width interval: the ratio itself is the upper end and the mean.
    const flat = (q: number, n = 4) => closerVerdict(withRatios(Array(n).fill(q)), 'lfp', { margin: 0.75 }).status;
    expect(flat(0.75 * (1 - 1e-9))).toBe('holds');
    expect(flat(0.75)).toBe('inconclusive');
    expect(flat(1 - 1e-9)).toBe('inconclusive');
    expect(flat(1)).toBe('fails');
    expect(flat(3)).toBe('fails');
  });

  it('a non-converged seed or a missing distance is inconclusive; the reason names the ratios and the interval', () => {
    expect(closerVerdict([...withRatios([0.3, 0.3]), seedRun(1, 0.01, { seed: 9, converged: false })], 'lfp', { margin: 0.75 })).toMatchObject({
      status: 'inconclusive',
      why: 'distance to LFP over the distance to the nearer of the natural cubic spline and the linear interpolant: seed 9 did not converge',
    });
    expect(closerVerdict([...withRatios([0.3]), seedRun(1, null)], 'lfp', { margin: 0.75 }).status).toBe('inconclusive');
    expect(closerVerdict([], 'lfp', { margin: 0.75 }).status).toBe('inconclusive');
    const v = closerVerdict(withRatios([0.25, 0.5]), 'lfp', { margin: 0.75 });
    const e = logMeanInterval([0.25, 0.5]);
    expect(v.why).toBe(
      `distance to LFP over the distance to the nearer of the natural cubic spline and the linear interpolant 0.25, 0.5: geometric mean ${fmt3(e.value)} [${fmt3(e.lo)}, ${fmt3(e.hi)}] (95%, log scale), interval reaches 0.75`,
    );
    const r = closerVerdict(withRatios([0.3, 0.3]), 'cubic', { margin: 0.75 }, 2);
    expect(r.status).toBe('fails'); // the spline as the prediction: 0.2 / min(0.06, 0.3) > 1
    expect(r.why.startsWith('distance to the pure-cubic closed form over the distance to the nearer of LFP and the pure-linear closed form ')).toBe(true);
    expect(r.why.endsWith(', not below 1')).toBe(true);
    expect(closerVerdict(withRatios([0.3, 0.3]), 'lfp', { margin: 0.75 }).why.endsWith('upper end < 0.75')).toBe(true);
  });

  it('worse is a conjunction: fails over inconclusive over holds', () => {
    expect(worse('holds', 'holds')).toBe('holds');
    expect(worse('holds', 'fails')).toBe('fails');
    expect(worse('fails', 'holds')).toBe('fails');
    expect(worse('fails', 'inconclusive')).toBe('fails');
    expect(worse('inconclusive', 'fails')).toBe('fails');
    expect(worse('inconclusive', 'holds')).toBe('inconclusive');
    expect(worse('holds', 'inconclusive')).toBe('inconclusive');
    expect(worse('inconclusive', 'inconclusive')).toBe('inconclusive');
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

  /** The documented rule: holds iff the interval is below 0 and contains the rate; fails iff the slope is ≥ 0 or the interval is below 0 without it. */
  const trendRule = (fit: { slope: number; ci: { lo: number; hi: number } }, rate = cfg.rate) =>
    fit.slope >= 0 ? 'fails' : fit.ci.hi < 0 ? (fit.ci.lo <= rate && rate <= fit.ci.hi ? 'holds' : 'fails') : 'inconclusive';

  it('holds iff the 95% interval of the log-log slope is below 0 and contains −1/2; the evidence names them', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.8, max: 0.8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(1e6), (p, noise, seed) => {
        const runs = ladder(p, noise, `lfp-trend/${seed}`);
        const fit = logLogFit(runs.map((r) => r.width), runs.map((r) => r.distLfp!));
        const v = lfpWidthTrend.judge(runs, { ...cfg, widths });
        expect(v.status).toBe(trendRule(fit));
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

  it('the rate is inclusive at both ends of the interval; the rival judges the distance to the cubic spline', () => {
    const runs = ladder(-0.5, 0.2, 'lfp-trend/edge');
    const fit = logLogFit(runs.map((r) => r.width), runs.map((r) => r.distLfp!));
    expect(fit.ci.hi).toBeLessThan(0);
    expect(lfpWidthTrend.judge(runs, { ...cfg, widths, rate: fit.ci.lo }).status).toBe('holds');
    expect(lfpWidthTrend.judge(runs, { ...cfg, widths, rate: fit.ci.hi }).status).toBe('holds');
    expect(lfpWidthTrend.judge(runs, { ...cfg, widths, rate: fit.ci.lo - 1e-9 }).status).toBe('fails');
    expect(lfpWidthTrend.judge(runs, { ...cfg, widths, rate: fit.ci.hi + 1e-9 }).status).toBe('fails');
    // The same runs with flat cubic-spline distances: the rival sees no trend, LFP's judge the −1/2 one.
    const flatSpline = runs.map((r, i) => ({ ...r, distCubic: 0.05 * (1 + 0.3 * Math.sin(i)) }));
    const rcfg = lfpWidthTrendRivalCubic.tiers.ci;
    expect(rcfg.prediction).toBe('cubic');
    const rv = lfpWidthTrendRivalCubic.judge(flatSpline, { ...rcfg, widths });
    expect(rv.status).not.toBe('holds');
    expect(rv.reason.startsWith('log-log slope of the network↔the natural cubic spline distance on width ')).toBe(true);
    expect(lfpWidthTrend.judge(flatSpline, { ...cfg, widths }).status).toBe(trendRule(fit));
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
    const tail = { holds: ['; below 0 and contains -0.5.'], fails: ['; not negative.', '; below 0 but excludes -0.5.'], inconclusive: ['; interval reaches 0.'] } as const;
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.double({ min: -0.8, max: 0.8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(1e6), (p, noise, seed) => {
        const v = lfpWidthTrend.judge(ladder(p, noise, `lfp-trend/tail/${seed}`), { ...cfg, widths });
        seen.add(v.status);
        expect(tail[v.status].some((t) => v.reason.endsWith(t))).toBe(true);
      }),
      { ...FC, numRuns: 60 },
    );
    // Each branch by construction: exact w^−1/2 (interval below 0), exact w^+0.3 (slope ≥ 0), and a noisy flat ladder.
    const exact = (p: number) => widths.flatMap((w) => [0, 1, 2].map((s) => seedRun(w, 0.3 * w ** p * (1 + 0.01 * s), { seed: s })));
    const flat = widths.flatMap((w) => [0.5, 1.5, 1].map((f, s) => seedRun(w, 0.05 * w ** -0.02 * f, { seed: s })));
    for (const [runs, st] of [[exact(-0.5), 'holds'], [exact(0.3), 'fails'], [exact(-0.2), 'fails'], [exact(-0.9), 'fails'], [flat, 'inconclusive']] as const) {
      const v = lfpWidthTrend.judge(runs, { ...cfg, widths });
      expect(v.status).toBe(st);
      expect(tail[st].some((t) => v.reason.endsWith(t))).toBe(true);
      seen.add(st);
    }
    expect([...seen].sort()).toEqual(['fails', 'holds', 'inconclusive']);
  });
});

describe('lfp.1d judge (regimes.ts): every regime must hold', () => {
  type R = { name: string; threshold: number; shape?: 'cubic' | 'linear'; closer?: { margin: number } };
  const regimes = lfp1d.tiers.ci.regimes as R[];
  const cfg = lfp1d.tiers.ci;
  /** One regime's verdict as documented: agreement (and closer where set), the worse of the two. */
  const regimeStatus = (r: R, runs: SeedRun[]) => {
    const a = expectedAgreement(runs, r.threshold, r.shape);
    return r.closer ? worse(a as never, closerVerdict(runs, 'lfp', r.closer).status) : a;
  };

  it('is the conjunction of the regimes\' verdicts (fails > inconclusive > holds), each named in the reason', () => {
    fc.assert(
      fc.property(fc.array(fc.array(arbRun, { minLength: 1, maxLength: 4 }), { minLength: regimes.length, maxLength: regimes.length }), (perRegime) => {
        const m = regimes.map((r, i) => ({ name: r.name, runs: perRegime[i]! }));
        const v = lfp1d.judge(m, cfg);
        const each = regimes.map((r, i) => regimeStatus(r, perRegime[i]!));
        const status = each.includes('fails') ? 'fails' : each.includes('inconclusive') ? 'inconclusive' : 'holds';
        expect(v.status).toBe(status);
        regimes.forEach((r, i) => {
          const agree = agreementVerdict(perRegime[i]!, r.threshold, r.shape).why;
          const why = r.closer ? `${agree}; ${closerVerdict(perRegime[i]!, 'lfp', r.closer).why}` : agree;
          expect(v.reason).toContain(`${r.name}: ${why}.`);
          const met = (v.metrics as Record<string, { status: string; threshold: number; distLfp: unknown }>)[r.name]!;
          expect(met.status).toBe(each[i]);
          expect(met.threshold).toBe(r.threshold);
          expect(met.distLfp).toEqual(distanceInterval(perRegime[i]!.map((s) => s.distLfp)));
        });
      }),
      FC,
    );
  });

  // Seed runs for the regimes by hand: under the thresholds (0.08, 0.2, 0.12), closer to the regime's own shape.
  const cubicRun = (d: number, s: number) => seedRun(4000, d, { seed: s, distCubic: 0.01 + 0.01 * s, distLinear: 0.3 + 0.02 * s });
  const linearRun = (d: number, s: number) => seedRun(10000, d, { seed: s, distCubic: 0.25 + 0.03 * s, distLinear: 0.02 + 0.005 * s });
  const midRun = (d: number, s: number) => seedRun(4000, d, { seed: s, distCubic: 0.2 - 0.01 * s, distLinear: 0.15 + 0.01 * s });

  it('the regimes are the paper\'s two and the intermediate one, only the last with the closer rule', () => {
    expect(regimes.map((r) => [r.name, r.threshold, r.shape ?? null, r.closer?.margin ?? null])).toEqual([
      ['cubic', 0.08, 'cubic', null],
      ['linear', 0.2, 'linear', null],
      ['intermediate', 0.12, null, 0.75],
    ]);
    // The paper's regimes on the first 3 seeds, the intermediate one on all 8 (5 gave an interval too wide: 18/20).
    expect((cfg.regimes as { replicates?: number }[]).map((r) => r.replicates ?? cfg.replicates)).toEqual([3, 3, 8]);
  });

  it('all regimes holding holds; any failing fails; the intermediate regime fails when the network is not clearly closer to LFP', () => {
    const cubicOk = [0.03, 0.05, 0.04].map(cubicRun);
    const linearOk = [0.1, 0.15, 0.12].map(linearRun);
    const midOk = [0.04, 0.06, 0.05].map(midRun);
    const midFar = [0.11, 0.115, 0.119].map(midRun); // under 0.12 but as far as a spline: ratio ≈ 0.7–0.8
    const midSpline = [0.16, 0.17, 0.18].map(midRun); // at a spline's distance: ratio ≥ 1
    const cases: [SeedRun[], SeedRun[], SeedRun[], string][] = [
      [cubicOk, linearOk, midOk, 'holds'],
      [cubicOk, linearOk, midSpline, 'fails'],
      [cubicOk, [0.3, 0.4, 0.25].map(linearRun), midOk, 'fails'],
      [[0.1, 0.2, 0.3].map(cubicRun), linearOk, midOk, 'fails'],
    ];
    for (const [c, l, mid, want] of cases) {
      const v = lfp1d.judge([{ name: 'cubic', runs: c }, { name: 'linear', runs: l }, { name: 'intermediate', runs: mid }], cfg);
      expect(v.status).toBe(want);
      expect(v.reason.startsWith(`cubic: ${agreementVerdict(c, 0.08, 'cubic').why}. linear: `)).toBe(true);
    }
    const far = lfp1d.judge([{ name: 'cubic', runs: cubicOk }, { name: 'linear', runs: linearOk }, { name: 'intermediate', runs: midFar }], cfg);
    expect(far.status).toBe(closerVerdict(midFar, 'lfp', { margin: 0.75 }).status);
    expect(far.status).not.toBe('holds');
  });

  it('the spline rivals run the same regimes and judge the distance to their spline in place of LFP', () => {
    for (const [rival, p] of [[lfp1dRivalCubic, 'cubic'], [lfp1dRivalLinear, 'linear']] as const) {
      expect(rival.rivalOf).toBe('lfp.1d');
      expect(rival.control).toBe(true);
      expect(rival.tiers.ci.regimes).toEqual(cfg.regimes);
      expect(rival.tiers.ci.prediction).toBe(p);
    }
    const m = [
      { name: 'cubic', runs: [0.03, 0.05, 0.04].map(cubicRun) },
      { name: 'linear', runs: [0.1, 0.15, 0.12].map(linearRun) },
      { name: 'intermediate', runs: [0.04, 0.06, 0.05].map(midRun) },
    ];
    expect(lfp1d.judge(m, cfg).status).toBe('holds');
    const rc = lfp1dRivalCubic.judge(m, lfp1dRivalCubic.tiers.ci);
    expect(rc.status).toBe('fails');
    expect(rc.reason).toContain('cubic: relative L2 to the natural cubic spline 0.01, 0.02, 0.03 < 0.08 in all 3 seeds');
    expect(rc.reason).toContain('intermediate: relative L2 to the natural cubic spline 0.2, 0.19, 0.18: 3 of 3 seeds ≥ 0.12');
    expect(lfp1dRivalLinear.judge(m, lfp1dRivalLinear.tiers.ci).status).toBe('fails');
    expect((rc.metrics as Record<string, unknown>).prediction).toBe('cubic');
  });

  it('reports per regime the log-scale intervals of the distances to LFP and to both splines, and each seed', () => {
    const c = [0.03, 0.05, 0.04].map(cubicRun);
    const l = [0.1, 0.15, 0.12].map(linearRun);
    const mid = [0.04, 0.06, 0.05].map(midRun);
    const v = lfp1d.judge([{ name: 'cubic', runs: c }, { name: 'linear', runs: l }, { name: 'intermediate', runs: mid }], cfg);
    const met = v.metrics as Record<string, Record<string, unknown>>;
    for (const [name, runs, width] of [['cubic', c, 4000], ['linear', l, 10000], ['intermediate', mid, 4000]] as const) {
      expect(met[name]!.width).toBe(width);
      expect(met[name]!.distLfp).toEqual(logMeanInterval(runs.map((s) => s.distLfp!)));
      expect(met[name]!.distCubicSpline).toEqual(logMeanInterval(runs.map((s) => s.distCubic!)));
      expect(met[name]!.distLinearSpline).toEqual(logMeanInterval(runs.map((s) => s.distLinear!)));
      expect((met[name]!.seeds as { seed: number; distCubic: number }[]).map((x) => [x.seed, x.distCubic])).toEqual(runs.map((s) => [s.seed, s.distCubic]));
    }
    expect(met.intermediate!.margin).toBe(0.75);
    expect(met.intermediate!.closerRatio).toEqual(closerVerdict(mid, 'lfp', { margin: 0.75 }).ratio);
    expect(met.cubic!.closerRatio).toBeUndefined();
    // A missing spline distance leaves no interval for that distance only.
    const gap = lfp1d.judge([{ name: 'cubic', runs: [...c.slice(0, 2), { ...c[2]!, distLinear: null }] }, { name: 'linear', runs: l }, { name: 'intermediate', runs: mid }], cfg);
    const gm = gap.metrics as Record<string, Record<string, unknown>>;
    expect(gm.cubic!.distLinearSpline).toBeNull();
    expect(gm.cubic!.distLfp).toEqual(logMeanInterval(c.map((s) => s.distLfp!)));
  });
});

describe('lfp.xor judge', () => {
  const cfg = lfpXor.tiers.ci;
  const names = (cfg.settings as { name: string }[]).map((s) => s.name);
  const settingStatus = (runs: SeedRun[]) =>
    worse(expectedAgreement(runs, cfg.threshold, undefined, cfg.median) as never, closerVerdict(runs, 'lfp', cfg.closer, 2).status);

  it('the authors\' setting (v_l = 1) decides; v_l = 2 is reported with its own verdict; a solver/closed-form gap > 1e-9 fails', () => {
    expect((cfg.settings as { init: { vl: number }; decides: boolean }[]).map((s) => [s.init.vl, s.decides])).toEqual([[1, true], [2, false]]);
    fc.assert(
      fc.property(
        fc.array(arbRun, { minLength: 1, maxLength: 5 }),
        fc.array(arbRun, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(0, 1e-12, 1e-9, 1.0000001e-9, 1e-3),
        (a, b, gap) => {
          const v = lfpXor.judge({ settings: [{ name: names[0]!, runs: a }, { name: names[1]!, runs: b }], closedFormGap: gap }, cfg);
          expect(v.status).toBe(gap > 1e-9 ? 'fails' : settingStatus(a));
          if (gap > 1e-9) expect(v.reason).toBe(`LFP solver and XOR closed form differ by ${gap}`);
          else {
            expect(v.reason).toContain(`${names[0]}: ${settingStatus(a)}; ${agreementVerdict(a, cfg.threshold, undefined, cfg.median).why}; `);
            expect(v.reason).toContain(`${names[1]} (reported, does not set the verdict): ${settingStatus(b)}; `);
          }
          const met = v.metrics as Record<string, Record<string, unknown>>;
          expect(met[names[1]!]!.status).toBe(settingStatus(b));
          expect(met[names[0]!]!.distLfp).toEqual(distanceInterval(a.map((r) => r.distLfp)));
          expect((v.metrics as Record<string, unknown>).closedFormGap).toBe(gap);
        },
      ),
      FC,
    );
  });

  it('the pure-cubic rival judges the distance to the pure-cubic closed form in place of LFP', () => {
    const runs = [0.05, 0.06, 0.07, 0.05, 0.06].map((d, i) => seedRun(8000, d, { seed: i, distCubic: d * 1.01, distLinear: 0.3 }));
    const m = { settings: names.map((name) => ({ name, runs })), closedFormGap: 0 };
    expect(lfpXorRivalCubic.rivalOf).toBe('lfp.xor');
    expect(lfpXorRivalCubic.tiers.ci.prediction).toBe('cubic');
    // Both within 0.1, 1% apart (the audit's situation): LFP is not clearly closer (ratio 0.99: inconclusive); the
    // pure-cubic rival's ratio is 1.01 ≥ 1: fails.
    expect(lfpXor.judge(m, cfg).status).toBe('inconclusive');
    const rv = lfpXorRivalCubic.judge(m, lfpXorRivalCubic.tiers.ci);
    expect(rv.status).toBe('fails');
    expect(rv.reason).toContain('relative L2 to the pure-cubic closed form 0.0505, 0.0606, 0.0707, 0.0505, 0.0606');
    const clear = [0.02, 0.03, 0.025, 0.02, 0.03].map((d, i) => seedRun(8000, d, { seed: i, distCubic: 0.08, distLinear: 0.3 }));
    const mc = { settings: names.map((name) => ({ name, runs: clear })), closedFormGap: 0 };
    expect(lfpXor.judge(mc, cfg).status).toBe('holds');
    expect(lfpXorRivalCubic.judge(mc, lfpXorRivalCubic.tiers.ci).status).toBe('fails');
  });
});

describe('lfp.dynamics judge', () => {
  const cfg = lfpDynamicsClaim.tiers.ci;
  const nT = cfg.times.length;
  /** A seed whose distances to the LFP flow and to the rival are given per time (same at every time if one number). */
  const dseed = (seed: number, lfp: number | number[], uni: number | number[], over: Partial<DynamicsSeed> = {}): DynamicsSeed => ({
    seed, steps: Array.from({ length: nT }, (_, j) => 100 * (j + 1)), times: Array(nT).fill(1), rates: [1, 2, 3],
    distLfp: Array.isArray(lfp) ? lfp : Array(nT).fill(lfp), distUniform: Array.isArray(uni) ? uni : Array(nT).fill(uni),
    residualNet: Array(nT).fill(0.5), residualLfp: Array(nT).fill(0.5), diverged: false, ...over,
  });
  /** The documented rule for one time. */
  const atTime = (own: number[], alt: number[]) => {
    const e = logMeanInterval(own.map((x, i) => x / alt[i]!));
    const closer = e.hi < cfg.closer.margin ? 'holds' : e.value >= 1 ? 'fails' : 'inconclusive';
    const over = own.filter((x) => !(x < cfg.threshold)).length;
    const wild = own.filter((x) => !(x < cfg.outlierCap)).length;
    const agree = 2 * over > own.length ? 'fails' : 2 * over < own.length && wild === 0 ? 'holds' : 'inconclusive';
    return worse(agree, closer);
  };

  it('every time must hold: most seeds under the threshold, none over the cap, the ratio\'s upper end under the margin', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.double({ min: 0.01, max: 0.4, noNaN: true }), { minLength: nT, maxLength: nT }), fc.array(fc.double({ min: 0.01, max: 0.9, noNaN: true }), { minLength: nT, maxLength: nT })), { minLength: 2, maxLength: 6 }),
        (pairs) => {
          const m = pairs.map(([l, u], i) => dseed(i, l, u));
          const each = Array.from({ length: nT }, (_, j) => atTime(pairs.map((p) => p[0][j]!), pairs.map((p) => p[1][j]!)));
          const want = each.reduce((a, b) => worse(a, b), 'holds' as 'holds' | 'fails' | 'inconclusive');
          expect(lfpDynamicsClaim.judge(m, cfg).status).toBe(want);
          // The rival swaps the roles: its ratios are the inverses.
          const rivalEach = Array.from({ length: nT }, (_, j) => atTime(pairs.map((p) => p[1][j]!), pairs.map((p) => p[0][j]!)));
          expect(lfpDynamicsRivalUniform.judge(m, lfpDynamicsRivalUniform.tiers.ci).status).toBe(rivalEach.reduce((a, b) => worse(a, b), 'holds' as 'holds' | 'fails' | 'inconclusive'));
        },
      ),
      FC,
    );
  });

  it('at the edges of the threshold and the margin; a diverged seed or a missing distance is inconclusive', () => {
    const thr = cfg.threshold;
    const m = cfg.closer.margin;
    const run = (l: number, u: number) => lfpDynamicsClaim.judge([0, 1, 2].map((s) => dseed(s, l, u)), cfg).status;
    expect(run(thr * (1 - 1e-9), thr / (m * (1 - 1e-6)))).toBe('holds'); // just under both
    expect(run(thr, thr / (m * (1 - 1e-6)))).toBe('fails'); // at the threshold: every seed over
    const mix = (top: number) => lfpDynamicsClaim.judge([dseed(0, 0.05, 0.5), dseed(1, 0.05, 0.5), dseed(2, top, top * 10)], cfg).status;
    expect(mix(cfg.outlierCap * (1 - 1e-9))).toBe('holds'); // one seed over the threshold, under the cap
    expect(mix(cfg.outlierCap)).toBe('inconclusive'); // at the cap
    expect(lfpDynamicsClaim.judge([dseed(0, 0.05, 0.5), dseed(1, thr, 10)], cfg).status).toBe('inconclusive'); // a tie
    expect(run(0.05, 0.05 / m)).toBe('inconclusive'); // ratio exactly the margin
    expect(run(0.05, 0.05)).toBe('fails'); // ratio 1
    expect(run(0.05, 0.05 / (1 - 1e-9))).toBe('inconclusive');
    expect(lfpDynamicsClaim.judge([dseed(0, 0.05, 0.5), dseed(1, 0.05, 0.5, { diverged: true })], cfg).status).toBe('inconclusive');
    expect(lfpDynamicsClaim.judge([dseed(0, 0.05, 0.5), dseed(1, [0.05, null as never, 0.05], 0.5)], cfg).status).toBe('inconclusive');
    expect(lfpDynamicsClaim.judge([], cfg).status).toBe('inconclusive');
    expect(lfpDynamicsRivalUniform.rivalOf).toBe('lfp.dynamics');
    const v = lfpDynamicsClaim.judge([0, 1].map((s) => dseed(s, 0.05, 0.5)), cfg);
    expect(v.reason.startsWith('time 1: relative L2 to the LFP flow 0.05, 0.05 (0 ≥ 0.2, 0 ≥ 0.3); over the distance to the uniform-rate rival 0.1, 0.1, geometric mean 0.1 [0.1, 0.1]')).toBe(true);
    expect(v.reason).toContain('(0 ≥ 0.2, 0 ≥ 0.3)');
  });
});
