// Vega-lite specs of the maxmargin family (data inline; rendered to SVG by the report writer).
import type { FigureSpec } from '../../core/claim.ts';

const W = 420;
const H = 280;

type Row = Record<string, number | string | null>;

/**
 * Curves y(x) per series, with optional dashed prediction curves (series names ending in "(theory)"). Every series
 * is named in a titled color legend (measured and predicted share it; the dash marks the prediction).
 */
export function curves(opts: {
  title: string;
  /** The legend's title: what a series is (default "curve"). */
  legendTitle?: string;
  x: { field: string; title: string; log?: boolean };
  y: { field: string; title: string; log?: boolean };
  measured: Row[];
  predicted?: Row[];
}): FigureSpec {
  const enc = (dash: boolean) => ({
    x: { field: opts.x.field, type: 'quantitative', title: opts.x.title, ...(opts.x.log ? { scale: { type: 'log' } } : {}) },
    y: { field: opts.y.field, type: 'quantitative', title: opts.y.title, ...(opts.y.log ? { scale: { type: 'log' } } : {}) },
    color: { field: 'series', type: 'nominal', title: opts.legendTitle ?? 'curve' },
    ...(dash ? { strokeDash: { value: [6, 4] } } : {}),
  });
  const layers: FigureSpec[] = [{ data: { values: opts.measured }, mark: { type: 'line', point: true }, encoding: enc(false) }];
  if (opts.predicted && opts.predicted.length > 0) layers.push({ data: { values: opts.predicted }, mark: { type: 'line' }, encoding: enc(true) });
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: opts.title, width: W, height: H, layer: layers };
}

/**
 * 2-D data with the SVM boundary (w·x = 0), the margin lines (w·x = ±1 shown as z·ŵ = 1 on the absorbed points)
 * and the normalized GD direction w(t)/‖w(t)‖ at several t as rays from the origin.
 */
export function data2d(opts: {
  title: string;
  points: { x1: number; x2: number; kind: string }[];
  svm: number[] | null;
  directions: { t: number; w: number[] }[];
}): FigureSpec {
  const ext = Math.max(1, ...opts.points.flatMap((p) => [Math.abs(p.x1), Math.abs(p.x2)])) * 1.1;
  const lines: Row[] = [];
  if (opts.svm) {
    const [a, b] = opts.svm as [number, number];
    const nrm = Math.hypot(a, b);
    // Boundary w·x = c is the line through c·w/‖w‖² along (−b, a).
    for (const [c, label] of [[0, 'SVM boundary ŵ·x = 0'], [1, 'margin ŵ·x = 1']] as const) {
      const p0 = [(c * a) / nrm ** 2, (c * b) / nrm ** 2];
      for (const s of [-1, 1]) lines.push({ series: label, order: s, x1: p0[0]! + (s * ext * -b) / nrm, x2: p0[1]! + (s * ext * a) / nrm });
    }
    lines.push({ series: 'SVM direction ŵ', order: 0, x1: 0, x2: 0 }, { series: 'SVM direction ŵ', order: 1, x1: (ext * a) / nrm, x2: (ext * b) / nrm });
  }
  for (const d of opts.directions) {
    const n = Math.hypot(d.w[0]!, d.w[1]!);
    if (!(n > 0)) continue;
    const name = `GD w(t)/‖w‖, t = ${d.t.toExponential(0)}`;
    lines.push({ series: name, order: 0, x1: 0, x2: 0 }, { series: name, order: 1, x1: (0.8 * ext * d.w[0]!) / n, x2: (0.8 * ext * d.w[1]!) / n });
  }
  const scale = { domain: [-ext, ext] };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: 360,
    height: 360,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', clip: true },
        encoding: {
          x: { field: 'x1', type: 'quantitative', title: 'x₁ (label-absorbed point y·x)', scale },
          y: { field: 'x2', type: 'quantitative', title: 'x₂', scale },
          order: { field: 'order', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: 'line' },
        },
      },
      {
        data: { values: opts.points },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'x1', type: 'quantitative', scale },
          y: { field: 'x2', type: 'quantitative', scale },
          shape: { field: 'kind', type: 'nominal', title: 'point' },
        },
      },
    ],
  };
}
