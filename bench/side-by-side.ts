// Side-by-side benchmark (issue 19): the heaviest CI-tier experiments, run as the suite runs them (the claim's own
// `run` with its CI config, the default engine unless DLCLAIMS_ENGINE says otherwise) and as a NumPy float64 script
// of the same computation (bench/reference/*.py, one thread). The suite writes each script a task file with the
// experiment's config, data and seeded initial parameters, so both sides follow the same trajectory; the agreement
// of their results is reported next to the timing, so a fast but different reference cannot pass unnoticed.
// Timings never enter report.json; `dlclaims bench --side-by-side` (and `npm run bench`) write them to bench.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyClaim, RunContext } from '../core/claim.ts';
import { getEngine } from '../core/engine/index.ts';
import { clearMemo } from '../core/paired.ts';
import { claimRng, DEFAULT_MASTER_SEED } from '../core/rng.ts';
import { findClaim } from '../experiments/index.ts';
import { periodicGrid, target1d, targetPeaks } from '../experiments/fprinciple/oned.ts';
import { loadDigit } from '../experiments/fprinciple/image2d.ts';
import { makeData } from '../experiments/linearization/wide-run.ts';
import { prefixMlp } from '../experiments/linearization/prefix.ts';
import { scalesFor } from '../experiments/overparam/phase-diagram.ts';
import { randomSeparable } from '../experiments/maxmargin/data.ts';
import { initState, withBias } from '../theory/phase-diagram.ts';
import { defaultStepSize, hardMarginSvm, logSpacedTimes } from '../theory/maxmargin.ts';
import { initMlp, type Mlp } from '../theory/mlp.ts';

// The checkout's root, also when this runs compiled from dist/bench/ (the .py scripts are not copied into dist/).
const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.basename(HERE) === 'dist' ? path.dirname(HERE) : HERE;
const THREADS_ENV = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

// Configs and measurements are read loosely here: each pair reads the fields its experiment defines.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Loose = any;

interface Agreement {
  quantity: string;
  maxAbsDiff: number;
  maxRelDiff: number;
  /**
   * Training curves only: the last recorded step up to which every value agrees within 1e-9 (relative, or absolute
   * below 1): two float64 programs that sum in different orders follow the same trajectory until rounding-level
   * differences are amplified (Adam's late phase, where gradients are tiny and normalized, does this).
   */
  agreeWithin1e9UntilStep?: number;
}

export interface Pair {
  /** Short id, also the task file's name. */
  id: string;
  claim: string;
  script: string;
  what: string;
  task(cfg: Loose, ctx: RunContext): unknown;
  agree(m: Loose, results: Loose): Agreement;
}

const layersJson = (net: Mlp) => ({ layers: net.layers.map((l) => ({ nIn: l.nIn, nOut: l.nOut, W: Array.from(l.W), b: Array.from(l.b) })) });

/** Largest |a − b| and |a − b|/max(|a|, |b|) over paired values (both sides' numbers, in the same order). */
function compare(quantity: string, pairs: [number | null, number | null][]): Agreement {
  let abs = 0;
  let rel = 0;
  for (const [a, b] of pairs) {
    if (a === null || b === null) {
      if (a !== b) return { quantity, maxAbsDiff: Infinity, maxRelDiff: Infinity };
      continue;
    }
    const d = Math.abs(a - b);
    abs = Math.max(abs, d);
    const s = Math.max(Math.abs(a), Math.abs(b));
    if (s > 0) rel = Math.max(rel, d / s);
  }
  return { quantity, maxAbsDiff: abs, maxRelDiff: rel };
}

/** ΔF / band-error curves and final losses of an order experiment against the script's. */
function agreeOrder(m: Loose, res: Loose, what: string): Agreement {
  const pairs: [number | null, number | null][] = [];
  let until = Infinity;
  m.runs.forEach((run: Loose, r: number) => {
    pairs.push([run.loss.at(-1), res[r].finalLoss]);
    run.err.forEach((band: (number | null)[], b: number) => band.forEach((e, i) => pairs.push([e, res[r].err[i]?.[b] ?? null])));
    const first = run.steps.findIndex((_s: number, i: number) =>
      run.err.some((band: (number | null)[], b: number) => {
        const [a, c] = [band[i], res[r].err[i]?.[b]];
        return a === null || c === null || c === undefined || Math.abs(a - c) > 1e-9 * Math.max(1, Math.abs(a));
      }),
    );
    until = Math.min(until, first === -1 ? run.steps.at(-1) : first === 0 ? -1 : run.steps[first - 1]);
  });
  return { ...compare(what, pairs), agreeWithin1e9UntilStep: until };
}

export const PAIRS: Pair[] = [
  {
    id: 'fp1d',
    claim: 'fprinciple.1d',
    script: 'bench/reference/fp1d.py',
    what: '1-32-32-1 tanh MLP, full-batch Adam, 128 points, 6000 steps, 2 seeds; ΔF at the 3 peaks every 10 steps',
    task: (cfg, ctx) => {
      const xs = periodicGrid(cfg.n);
      const ys = xs.map(target1d);
      const nets = ctx.replicates.map((seed) =>
        layersJson(initMlp([1, ...cfg.hidden, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, ctx.rng(seed, 'init'))),
      );
      return { x: xs, y: ys, peaks: targetPeaks(ys), lr: cfg.lr, steps: cfg.steps, recordEvery: cfg.recordEvery, nets };
    },
    agree: (m, res) => agreeOrder(m, res, 'final loss and every recorded ΔF(k)'),
  },
  {
    id: 'image2d',
    claim: 'fprinciple.image-2d',
    script: 'bench/reference/image2d.py',
    what: '2-32-32-1 tanh MLP on a 14×14 digit (196 points), full-batch Adam, 2400 steps, 2 seeds; 2-D DFT band errors every 20 steps',
    task: (cfg, ctx) => {
      const img = loadDigit();
      const X: number[] = [];
      // The pixel grid of image2d.ts imageSetup: x = −1 + 2c/(cols − 1), y = 1 − 2r/(rows − 1).
      for (let r = 0; r < img.rows; r++) for (let c = 0; c < img.cols; c++) X.push(-1 + (2 * c) / (img.cols - 1), 1 - (2 * r) / (img.rows - 1));
      const nets = ctx.replicates.map((seed) =>
        layersJson(initMlp([2, ...cfg.hidden, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, ctx.rng(seed, 'init'))),
      );
      return { rows: img.rows, cols: img.cols, X, pixels: img.pixels, edges: cfg.edges, lr: cfg.lr, steps: cfg.steps, recordEvery: cfg.recordEvery, nets };
    },
    agree: (m, res) => agreeOrder(m, res, 'final loss and every recorded band error'),
  },
  {
    id: 'width-scaling',
    claim: 'linearization.width-scaling',
    script: 'bench/reference/width_scaling.py',
    what: 'runWide ladder: 32-n-1 tanh NTK nets, n = 128, 256, 512, 8 replicates, 100 GD steps, empirical NTK and linearized closed form',
    task: (cfg, ctx) => ({
      d: cfg.d,
      sigmaW: cfg.sigmaW,
      sigmaB: cfg.sigmaB,
      eta: cfg.eta,
      steps: cfg.steps,
      recordEvery: cfg.recordEvery,
      replicates: ctx.replicates.map((r) => {
        const data = makeData(ctx.rng(r, 'data'), cfg.d, cfg.nTrain, cfg.nTest);
        const big = initMlp([cfg.d, Math.max(...cfg.widths), 1], { activation: cfg.activation, parameterization: 'ntk', sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB }, ctx.rng(r, 'init'));
        const nets = cfg.widths.map((w: number) => {
          const net = prefixMlp(big, [w]);
          return { W1: Array.from(net.layers[0]!.W), b1: Array.from(net.layers[0]!.b), v: Array.from(net.layers[1]!.W), c: net.layers[1]!.b[0] };
        });
        const alphas = cfg.widths.map((w: number) => (cfg.meanFieldRef === null ? 1 : Math.sqrt(cfg.meanFieldRef / w)));
        return { X: Array.from(data.X.data), Y: Array.from(data.Y), Xtest: Array.from(data.Xtest.data), nets, alphas };
      }),
    }),
    agree: (m, res) =>
      compare(
        'sup-over-time network–linearization RMSE and relative NTK change per run',
        m.runs.flatMap((rs: Loose[], r: number) => rs.flatMap((x, w) => [[x.supRmse, res[r][w].supRmse], [x.relDeltaNtk, res[r][w].relDeltaNtk]] as [number, number][])),
      ),
  },
  {
    id: 'phase-diagram',
    claim: 'phase-diagram.regimes',
    script: 'bench/reference/phase_diagram.py',
    what: 'two-layer ReLU nets on 4 points, 4 regimes × 5 replicates × widths 100–800, GD to loss 1e-6 (≤ 40000 steps)',
    task: (cfg, ctx) => {
      // The claim's data set (phase-diagram.ts DATA).
      const data = withBias([[-0.5], [-0.2], [0.1], [0.5]], [0.1, 0.3, -0.1, 0.2]);
      const runs: unknown[] = [];
      cfg.regimes.forEach((spec: Loose, g: number) => {
        for (const r of ctx.replicates) {
          for (const m of cfg.widths) {
            const { alpha, beta1, beta2 } = scalesFor(spec.fixedScaleWidth ?? m, spec.gamma, spec.gammaPrime);
            const s0 = initState(m, data.D, beta1, beta2, ctx.rng(r, `init/${g}/${m}`));
            const eta = (spec.eta0 * alpha * alpha) / ((m * (beta1 * beta1 + beta2 * beta2)) / 2);
            runs.push({ a: Array.from(s0.a), w: Array.from(s0.w), alpha, eta });
          }
        }
      });
      return { n: data.n, D: data.D, xt: Array.from(data.xt), y: Array.from(data.y), steps: cfg.steps, tol: cfg.tol, runs };
    },
    agree: (m, res) => compare('RD and steps taken per run', m.rows.flatMap((row: Loose, i: number) => [[row.rd, res[i].rd], [row.steps, res[i].steps]] as [number, number][])),
  },
  {
    id: 'maxmargin',
    claim: 'maxmargin.direction',
    script: 'bench/reference/maxmargin_direction.py',
    what: 'logistic-loss GD from 0 on 20 separable sets (N = 40, d = 5), 10^5 steps, angle to the SVM direction at 31 log-spaced times',
    task: (cfg, ctx) => {
      const sets = ctx.replicates.map((r) => {
        const Z = randomSeparable(claimRng(ctx.masterSeed, cfg.dataFrom, r, 'data'), cfg.n, cfg.d, cfg.gap);
        return { Z, svm: hardMarginSvm(Z), eta: defaultStepSize(Z, cfg.loss) };
      });
      return {
        sets: sets.length,
        n: cfg.n,
        d: cfg.d,
        steps: cfg.steps,
        times: [...logSpacedTimes(10, cfg.steps, cfg.points), cfg.steps / 100],
        Z: sets.flatMap((s) => Array.from(s.Z.data)),
        eta: sets.map((s) => s.eta),
        svmW: sets.flatMap((s) => Array.from(s.svm.w)),
      };
    },
    agree: (m, res) =>
      compare(
        'angle and ‖w(t) − ŵ log t‖ at every recorded time',
        m.flatMap((rep: Loose, s: number) => rep.times.flatMap((_t: number, i: number) => [[rep.angles[i], res.angles[i]?.[s] ?? null], [rep.residualNorms[i], res.residualNorms[i]?.[s] ?? null]] as [number, number | null][])),
      ),
  },
];

export function contextFor(claim: AnyClaim, masterSeed = DEFAULT_MASTER_SEED): { cfg: Loose; ctx: RunContext } {
  const cfg = claim.tiers.ci;
  const ctx: RunContext = {
    tier: 'ci',
    masterSeed,
    claimId: claim.id,
    replicates: Array.from({ length: cfg.replicates }, (_, i) => i),
    rng: (replicate, label = '') => claimRng(masterSeed, claim.id, replicate, label),
    progress: () => {},
  };
  return { cfg, ctx };
}

/** NumPy's version, or null when python3 or NumPy is missing. */
export function numpyVersion(): string | null {
  const r = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8', env: { ...process.env, ...THREADS_ENV } });
  return r.status === 0 ? r.stdout.trim() : null;
}

const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toPrecision(d)) : x);
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface SideBySideRow {
  id: string;
  claim: string;
  what: string;
  /** CPU seconds (user + system) of the computation, median over reps; the *Wall fields are wall-clock seconds. */
  suiteSeconds: number;
  suiteSecondsAll: number[];
  suiteWallSeconds: number;
  referenceSeconds: number | null;
  referenceSecondsAll: number[];
  referenceWallSeconds: number | null;
  /** Suite CPU time / NumPy CPU time (medians): > 1 means the suite is slower. */
  ratio: number | null;
  /** The same from wall-clock times (inflated by whatever else the machine runs). */
  ratioWall: number | null;
  agreement: Agreement | null;
}

/**
 * Runs each pair `reps` times, suite then reference, alternating (A B A B: drift on a shared machine hits both);
 * reports medians. `tasksDir` keeps the task files so the reference side can be rerun by hand.
 */
export async function runSideBySide(opts: { reps?: number; only?: string[]; tasksDir?: string; log?: (line: string) => void } = {}) {
  const reps = opts.reps ?? 1;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const numpy = numpyVersion();
  if (numpy === null) log('side-by-side: python3 with NumPy not found; the reference side is skipped (suite timings only).');
  const engine = await getEngine();
  const dir = opts.tasksDir ?? mkdtempSync(path.join(os.tmpdir(), 'dlclaims-bench-'));
  mkdirSync(dir, { recursive: true });
  const loadStart = os.loadavg();
  const rows: SideBySideRow[] = [];
  try {
    for (const pair of PAIRS.filter((p) => !opts.only || opts.only.includes(p.id))) {
      const claim = findClaim(pair.claim);
      if (!claim) throw new Error(`side-by-side: no claim ${pair.claim}`);
      const taskFile = path.join(dir, `${pair.id}.task.json`);
      const outFile = path.join(dir, `${pair.id}.out.json`);
      const { cfg, ctx } = contextFor(claim);
      if (numpy !== null) writeFileSync(taskFile, JSON.stringify(pair.task(cfg, ctx)));
      const suite: number[] = [];
      const ref: number[] = [];
      const suiteWall: number[] = [];
      const refWall: number[] = [];
      let measurements: unknown;
      let results: unknown;
      for (let r = 0; r < reps; r++) {
        const run = contextFor(claim);
        const t0 = performance.now();
        clearMemo(); // time the computation, not a memoized result of the previous rep (core/paired.ts)
        const c0 = process.cpuUsage();
        measurements = await claim.run(run.cfg, run.ctx);
        const c = process.cpuUsage(c0);
        suiteWall.push((performance.now() - t0) / 1000);
        suite.push((c.user + c.system) / 1e6);
        if (numpy === null) continue;
        const p = spawnSync('python3', [path.join(ROOT, pair.script), taskFile, outFile], { encoding: 'utf8', env: { ...process.env, ...THREADS_ENV }, cwd: ROOT });
        if (p.status !== 0) throw new Error(`side-by-side: ${pair.script} failed (exit ${p.status}): ${p.stderr.trim().split('\n').at(-1)}`);
        const out = JSON.parse(readFileSync(outFile, 'utf8')) as { seconds: number; cpuSeconds: number; results: unknown };
        ref.push(out.cpuSeconds);
        refWall.push(out.seconds);
        results = out.results;
      }
      const s = median(suite);
      const rs = ref.length ? median(ref) : null;
      const sw = median(suiteWall);
      const rw = refWall.length ? median(refWall) : null;
      const row: SideBySideRow = {
        id: pair.id,
        claim: pair.claim,
        what: pair.what,
        suiteSeconds: round(s),
        suiteSecondsAll: suite.map((x) => round(x)),
        suiteWallSeconds: round(sw),
        referenceSeconds: rs === null ? null : round(rs),
        referenceSecondsAll: ref.map((x) => round(x)),
        referenceWallSeconds: rw === null ? null : round(rw),
        ratio: rs === null ? null : round(s / rs, 3),
        ratioWall: rw === null ? null : round(sw / rw, 3),
        agreement: results === undefined ? null : (({ maxAbsDiff, maxRelDiff, ...rest }) => ({ ...rest, maxAbsDiff: round(maxAbsDiff, 3), maxRelDiff: round(maxRelDiff, 3) }))(pair.agree(measurements, results)),
      };
      rows.push(row);
      log(
        `${pair.id.padEnd(14)} suite ${row.suiteSeconds.toFixed(2).padStart(7)} s CPU   NumPy ${rs === null ? '   skipped' : rs.toFixed(2).padStart(7) + ' s CPU'}   ratio ${row.ratio === null ? '-' : row.ratio.toFixed(2)}` +
          (row.agreement ? `   max abs diff ${row.agreement.maxAbsDiff.toExponential(1)}` : '') +
          (row.agreement?.agreeWithin1e9UntilStep !== undefined ? ` (within 1e-9 until step ${row.agreement.agreeWithin1e9UntilStep})` : ''),
      );
    }
  } finally {
    if (!opts.tasksDir) rmSync(dir, { recursive: true, force: true });
  }
  const ratios = rows.map((r) => r.ratio).filter((x): x is number => x !== null);
  const geometricMeanRatio = ratios.length === rows.length && ratios.length > 0 ? round(Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length), 3) : null;
  log(`geometric mean of suite/NumPy CPU time: ${geometricMeanRatio ?? 'n/a (reference side skipped)'}`);
  return {
    note: 'Suite CPU time / NumPy float64 CPU time for the same computation, one thread each; > 1 means the suite is slower. CPU time is what each side used; wall times (and ratioWall) also count waiting on a shared machine: see the load averages.',
    method:
      "Suite: the claim's own run() at the CI tier and master seed 20261123 (judging and figures excluded), timed in-process (process.cpuUsage, performance.now). " +
      'Reference: bench/reference/<script>.py on a task file the suite writes (config, data, seeded initial parameters), ' +
      'timing only its computation (time.process_time, time.perf_counter), OMP/OPENBLAS/MKL_NUM_THREADS=1. Runs alternate suite, reference; medians over reps. ' +
      'agreement: the largest difference between the two sides\' results (same trajectory, so float64 rounding only).',
    reproduce: [
      'node bin/dlclaims.mjs bench --side-by-side --tasks /tmp/tasks   # writes /tmp/tasks/<id>.task.json and times both sides',
      ...PAIRS.map((p) => `OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 ${p.script} /tmp/tasks/${p.id}.task.json /tmp/tasks/${p.id}.out.json`),
    ],
    engine: { name: engine.name, backend: engine.backend, precision: engine.precision },
    numpy,
    reps,
    loadAverageStart: loadStart.map((x) => round(x, 3)),
    loadAverageEnd: os.loadavg().map((x) => round(x, 3)),
    experiments: rows,
    geometricMeanRatio,
  };
}
