// Vega-lite specs shared by the F-Principle claims: the ΔF heatmap, error curves, fitted outputs, image grids.
import type { FigureSpec } from '../../core/claim.ts';
import type { OrderRun } from './order.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Keep at most `max` records, evenly spaced, so figures stay small. */
export function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (max - 1))]!);
  return out;
}

/** Heatmap of the relative error per band (rows) over training steps (columns), one seed (A2-2 Fig. 1.6). */
export function errorHeatmap(run: OrderRun, bands: string[], title: string, errName = 'ΔF'): FigureSpec {
  const idx = thin(
    run.steps.map((_, r) => r),
    150,
  );
  const values = idx.flatMap((r) => bands.map((band, b) => ({ step: run.steps[r]!, band, err: run.err[b]![r] ?? null })));
  return {
    $schema: SCHEMA,
    title,
    width: 480,
    height: 30 * bands.length + 40,
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'step', type: 'ordinal', title: 'training step', axis: { labelOverlap: true } },
      y: { field: 'band', type: 'ordinal', sort: bands, title: 'frequency (low to high)' },
      color: { field: 'err', type: 'quantitative', title: errName, scale: { domain: [0, 1], clamp: true, scheme: 'redblue' } },
    },
  };
}

/** Error curves (log scale), one line per band (colour, legend "band") and seed (dash pattern, legend "seed"). */
export function errorCurves(runs: OrderRun[], bands: string[], title: string, threshold: number, errName = 'relative error', stepName = 'training step'): FigureSpec {
  const values = runs.flatMap((run) => {
    const idx = thin(
      run.steps.map((_, r) => r),
      Math.max(20, Math.floor(900 / (bands.length * runs.length))),
    );
    return idx.flatMap((r) =>
      bands.map((band, b) => ({ step: run.steps[r]!, band, seed: `seed ${run.seed}`, err: Math.max(run.err[b]![r] ?? 1, 1e-6) })),
    );
  });
  return {
    $schema: SCHEMA,
    title,
    width: 480,
    height: 280,
    layer: [
      {
        data: { values },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: stepName },
          y: { field: 'err', type: 'quantitative', scale: { type: 'log' }, title: errName },
          color: { field: 'band', type: 'nominal', sort: bands, title: 'band' },
          strokeDash: { field: 'seed', type: 'nominal', title: 'seed' },
        },
      },
      {
        data: { values: [{ threshold }] },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { y: { field: 'threshold', type: 'quantitative' } },
      },
    ],
  };
}

/** The fitted 1-D output at a few steps against the target. */
export function fittedOutputs(x: readonly number[], target: readonly number[], snaps: { step: number; y: number[] }[], title: string): FigureSpec {
  const values = [
    ...x.map((xi, i) => ({ x: xi, y: target[i]!, curve: 'target' })),
    ...snaps.flatMap((s) => x.map((xi, i) => ({ x: xi, y: s.y[i]!, curve: `step ${s.step}` }))),
  ];
  return {
    $schema: SCHEMA,
    title,
    width: 480,
    height: 260,
    data: { values },
    mark: 'line',
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'input x' },
      y: { field: 'y', type: 'quantitative', title: 'output' },
      color: { field: 'curve', type: 'nominal', title: 'curve' },
    },
  };
}

/** A row of grey-level images (rect marks), e.g. the target and the network's reconstructions at several steps. */
export function imageRow(images: { label: string; pixels: number[] }[], rows: number, cols: number, title: string): FigureSpec {
  const values = images.flatMap((img) =>
    img.pixels.map((v, q) => ({ panel: img.label, r: Math.floor(q / cols), c: q % cols, v: Math.round(v * 1000) / 1000 })),
  );
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { column: { field: 'panel', type: 'ordinal', sort: images.map((i) => i.label), title: null } },
    spec: {
      width: 110,
      height: Math.round((110 * rows) / cols),
      mark: 'rect',
      encoding: {
        x: { field: 'c', type: 'ordinal', axis: null },
        y: { field: 'r', type: 'ordinal', axis: null },
        color: { field: 'v', type: 'quantitative', scale: { scheme: 'greys', domain: [0, 1], clamp: true }, title: 'grey level' },
      },
    },
  };
}
