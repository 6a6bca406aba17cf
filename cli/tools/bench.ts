// `bench --workload ID [--json] [--engine NAME]` → {"id","msPerStep","backend"}: one full-batch float32 training
// step of a DESIGN.md workload, after warm-up, on the fastest engine available (onnx, else tfjs).
// `bench --all [--out FILE] [--reps R]` writes reports/bench.json: every workload on onnx (1 and 2 threads) and tfjs,
// GFLOP/s, the committed PyTorch reference (bench/pytorch-cpu.json) with ratios, tinybench micro-benchmarks of
// the theory kernels, and the side-by-side comparison below. Timings never enter report.json.
// `bench --side-by-side [--out FILE] [--reps R] [--only ID,...] [--tasks DIR]` runs only the side-by-side comparison
// (bench/side-by-side.ts: the heaviest CI-tier experiments in the suite and as NumPy float64 scripts) and replaces the
// `sideBySide` section of FILE, keeping the rest; --tasks keeps the task files for rerunning the NumPy side by hand.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../core/formats.ts';
import { engineByName } from '../../core/engine/index.ts';
import type { Engine } from '../../core/engine/types.ts';
import { runMicro } from '../../bench/micro.ts';
import { PAIRS, runSideBySide } from '../../bench/side-by-side.ts';
import { flopsPerStep, timeEnsemble, timeWorkload, WORKLOADS, type Workload } from '../../bench/workloads.ts';
import { writeFileAtomic, checkOutputFile } from '../../core/report/write.ts';
import { LIMITS, parseArgs } from '../args.ts';
import { noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

// The package root, from the sources (cli/tools/) or the compiled build (dist/cli/tools/).
const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT = path.basename(HERE) === 'dist' ? path.dirname(HERE) : HERE;

function findWorkload(id: string): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new InputError(`--workload: unknown workload "${id}" (known: ${WORKLOADS.map((x) => x.id).join(', ')})`);
  return w;
}

/** The fastest engine that loads here: ONNX Runtime (float32), else TensorFlow.js. */
async function fastestEngine(): Promise<Engine> {
  try {
    const { makeOnnxEngine } = await import('../../core/engine/onnx.ts');
    return makeOnnxEngine('float32');
  } catch {
    return engineByName('tfjs');
  }
}

interface PytorchFixture {
  torch: string;
  how: string;
  workloads: Record<string, Record<string, { min: number; median: number }>>;
}

function readPytorch(): PytorchFixture | undefined {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'bench/pytorch-cpu.json'), 'utf8')) as PytorchFixture;
  } catch {
    return undefined;
  }
}

const round = (x: number, d = 4) => Number(x.toPrecision(d));

async function benchAll(out: string, reps: number): Promise<unknown> {
  const { makeOnnxEngine } = await import('../../core/engine/onnx.ts');
  const engines: { engine: Engine; threads: number; reps: number; targetMs: number }[] = [
    { engine: makeOnnxEngine('float32', 1), threads: 1, reps, targetMs: 300 },
    { engine: makeOnnxEngine('float32', 2), threads: 2, reps, targetMs: 300 },
    // tfjs is 10–100× slower on these shapes (DESIGN.md): fewer, shorter repetitions.
    { engine: await engineByName('tfjs'), threads: 1, reps: Math.max(3, Math.ceil(reps / 3)), targetMs: 200 },
  ];
  const torch = readPytorch();
  const loadStart = os.loadavg();
  const rows: {
    workload: string; engine: string; backend: string; threads: number; msPerStep: number; msPerStepMin: number; gflops: number;
    reps: number; stepsPerRep: number; pytorchMsPerStep: number | null; pytorchMsPerStepMin: number | null;
    ratioToPytorch: number | null; ratioToPytorchMin: number | null;
  }[] = [];
  for (const w of WORKLOADS) {
    for (const e of engines) {
      const t = await timeWorkload(e.engine, w, { reps: e.reps, targetMs: e.targetMs });
      const ref = torch?.workloads[w.id]?.[`${e.threads}thread`];
      rows.push({
        workload: w.id,
        engine: e.engine.name,
        backend: e.engine.backend,
        threads: e.threads,
        msPerStep: round(t.median),
        msPerStepMin: round(t.min),
        gflops: round(flopsPerStep(w) / (t.median * 1e6)),
        reps: t.reps,
        stepsPerRep: t.stepsPerRep,
        pytorchMsPerStep: ref ? round(ref.median) : null,
        pytorchMsPerStepMin: ref ? round(ref.min) : null,
        // > 1: slower than PyTorch with the same number of threads (medians; mins in ratioMin).
        ratioToPytorch: ref ? round(t.median / ref.median, 3) : null,
        ratioToPytorchMin: ref ? round(t.min / ref.min, 3) : null,
      });
    }
  }
  // Issue 8 target: geometric mean over the workloads of (our best ms/step) / (PyTorch best of 1 or 2 threads).
  const best = (xs: (number | null)[]) => Math.min(...xs.filter((x): x is number => x !== null));
  const ratios = WORKLOADS.map((w) => {
    const ours = rows.filter((r) => r.workload === w.id && r.engine === 'onnx');
    const ref = torch?.workloads[w.id];
    const torchBest = ref ? Math.min(...Object.values(ref).map((t) => t.median)) : null;
    const torchBestMin = ref ? Math.min(...Object.values(ref).map((t) => t.min)) : null;
    return {
      workload: w.id,
      oursMs: best(ours.map((r) => r.msPerStep)),
      pytorchMs: torchBest,
      ratio: torchBest ? round(best(ours.map((r) => r.msPerStep)) / torchBest, 3) : null,
      ratioMin: torchBestMin ? round(best(ours.map((r) => r.msPerStepMin)) / torchBestMin, 3) : null,
    };
  });
  const geo = (xs: (number | null)[]) => (xs.every((x) => x !== null) ? round(Math.exp(xs.reduce((s, x) => s + Math.log(x!), 0) / xs.length), 3) : null);
  // Issue 8 target: 16 seeds of fp1d trained together vs PyTorch training them one after another.
  const fp1d = findWorkload('fp1d');
  // Best of 1 and 2 intra-op threads, as for the single workloads (PyTorch also gets its best thread count).
  const ensByThreads = [];
  for (const t of [1, 2]) ensByThreads.push({ threads: t, timing: await timeEnsemble(makeOnnxEngine('float32', t), fp1d, 16, { reps: Math.max(3, Math.ceil(reps / 2)), steps: 10 }) });
  const ensBest = ensByThreads.reduce((a, b) => (b.timing.median < a.timing.median ? b : a));
  const ens = ensBest.timing;
  const torchFp1d = torch?.workloads.fp1d;
  const torchSeq = torchFp1d ? Math.min(...Object.values(torchFp1d).map((t) => t.median)) : null;
  const ensemble = {
    workload: 'fp1d',
    K: 16,
    engine: 'onnx (trainEnsemble, one batched graph)',
    threads: ensBest.threads,
    msPerBatchedStepByThreads: Object.fromEntries(ensByThreads.map((e) => [`${e.threads}thread`, round(e.timing.median)])),
    msPerBatchedStep: round(ens.median),
    networkStepsPerSecond: round((16 * 1000) / ens.median),
    pytorchSequentialNetworkStepsPerSecond: torchSeq ? round(1000 / torchSeq) : null,
    speedupOverPytorchSequential: torchSeq ? round((16 * 1000) / ens.median / (1000 / torchSeq), 3) : null,
  };
  const micro = await runMicro();
  const sideBySide = await runSideBySide({ reps: 1 });
  const doc = {
    note: 'Timings on a shared machine; never part of report.json. msPerStep = median over repetitions, msPerStepMin = minimum.',
    method:
      'One full-batch float32 training step (forward, backward, update) of each DESIGN.md workload, standard parameterization, ' +
      'seeded Gaussian data; one warm-up run, then `reps` runs of `stepsPerRep` steps each (bench/workloads.ts). ' +
      'GFLOP/s counts only the matrix products (bench/workloads.ts flopsPerStep) at the median time.',
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: round(os.totalmem() / 2 ** 30, 3),
      platform: `${os.platform()} ${os.arch()}`,
      node: process.version,
      loadAverageStart: loadStart.map((x) => round(x, 3)),
      loadAverageEnd: os.loadavg().map((x) => round(x, 3)),
    },
    pytorch: torch ? { file: 'bench/pytorch-cpu.json', torch: torch.torch, how: torch.how } : null,
    workloads: rows,
    versusPytorch: { perWorkload: ratios, geometricMeanRatio: geo(ratios.map((r) => r.ratio)), geometricMeanRatioMin: geo(ratios.map((r) => r.ratioMin)), target: 'at most 3 (issue 8); goal at most 1' },
    ensemble,
    micro: micro.map((m) => ({ ...m, meanMs: round(m.meanMs), medianMs: round(m.medianMs), minMs: round(m.minMs), rmePercent: round(m.rmePercent, 3) })),
    microPending: ['LFP solve (lfp family)', 'hard-margin SVM solve (maxmargin family)', 'DFT / NUDFT (fprinciple family)', 'Gaussian low/high filter (fprinciple family)'],
    sideBySide,
  };
  // Atomic: a full disk or a kill leaves the previous bench.json whole (the temporary file is removed on failure).
  writeFileAtomic(out, JSON.stringify(doc, null, 2) + '\n');
  return { wrote: out, geometricMeanRatio: doc.versusPytorch.geometricMeanRatio, sideBySideGeometricMeanRatio: sideBySide.geometricMeanRatio, ensemble, workloads: rows.map((r) => ({ id: r.workload, engine: r.engine, threads: r.threads, msPerStep: r.msPerStep, ratioToPytorch: r.ratioToPytorch })) };
}

export const tool: Tool = {
  usage:
    'bench --workload ID [--json] [--engine onnx|tfjs|reference|onnx-f64] | bench --all [--out reports/bench.json] [--reps R] | ' +
    'bench --side-by-side [--out reports/bench.json] [--reps R] [--only ID,...] [--tasks DIR]',
  async run(argv) {
    const args = parseArgs(argv, { valued: ['workload', 'engine', 'out', 'reps', 'only', 'tasks'], booleans: ['json', 'all', 'side-by-side'] });
    noPositionals(args);
    if (args.flag('side-by-side')) {
      if (args.flag('all')) throw new InputError('--side-by-side: --all already includes it; give one of them');
      for (const f of ['workload', 'engine']) if (args.get(f) !== undefined) throw new InputError(`--${f}: not used with --side-by-side (it runs the default engine; set DLCLAIMS_ENGINE)`);
      const reps = args.intIn('reps', 1, LIMITS.reps, 1)!;
      const only = args.get('only')?.split(',');
      const known = PAIRS.map((p) => p.id);
      for (const id of only ?? []) if (!known.includes(id)) throw new InputError(`--only: unknown experiment "${id}" (known: ${known.join(', ')})`);
      const out = path.resolve(args.get('out') ?? path.join(ROOT, 'reports/bench.json'));
      checkOutputFile(out, '--out');
      const tasks = args.get('tasks');
      const sideBySide = await runSideBySide({ reps, ...(only ? { only } : {}), ...(tasks ? { tasksDir: path.resolve(tasks) } : {}) });
      // Keep the rest of an existing bench.json (the engine workloads take minutes to redo).
      const prev = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
      writeFileAtomic(out, JSON.stringify({ ...prev, sideBySide }, null, 2) + '\n');
      return { wrote: out, geometricMeanRatio: sideBySide.geometricMeanRatio, experiments: sideBySide.experiments.map((e) => ({ id: e.id, suiteSeconds: e.suiteSeconds, numpySeconds: e.referenceSeconds, ratio: e.ratio })) };
    }
    for (const f of ['only', 'tasks']) if (args.get(f) !== undefined) throw new InputError(`--${f}: only used with --side-by-side`);
    if (args.flag('all')) {
      const reps = args.intIn('reps', 1, LIMITS.reps, 7)!;
      if (args.get('workload') !== undefined || args.get('engine') !== undefined) throw new InputError('--all: runs every workload on every engine; leave out --workload and --engine');
      const out = path.resolve(args.get('out') ?? path.join(ROOT, 'reports/bench.json'));
      checkOutputFile(out, '--out'); // before minutes of timing, not after
      return benchAll(out, reps);
    }
    for (const f of ['out', 'reps']) if (args.get(f) !== undefined) throw new InputError(`--${f}: only used with --all or --side-by-side`);
    const id = args.get('workload');
    if (id === undefined) throw new InputError('--workload: required (or --all)');
    const w = findWorkload(id);
    const name = args.get('engine');
    const engine = name === undefined ? await fastestEngine() : await engineByName(name);
    const t = await timeWorkload(engine, w, { reps: 5, targetMs: 200 });
    return { id: w.id, msPerStep: round(t.median), backend: `${engine.name}/${engine.backend}` };
  },
};
