// Vega-lite helpers shared by the overparam family's claims (data inline, small, titled axes).
import type { FigureSpec } from '../../core/claim.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Scatter of (x, y) points on log-log axes with the fitted power law drawn as a line layer. */
export function logLogFigure(opts: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: { x: number; y: number; series: string }[];
  fit?: { slope: number; intercept: number; xs: number[]; series: string }[];
  /** Legend title (every figure with several series shows a titled legend). */
  legend?: string;
}): FigureSpec {
  const line = (opts.fit ?? []).flatMap((f) => f.xs.map((x) => ({ x, y: Math.exp(f.intercept + f.slope * Math.log(x)), series: f.series })));
  const enc = {
    x: { field: 'x', type: 'quantitative', scale: { type: 'log' }, title: opts.xTitle },
    y: { field: 'y', type: 'quantitative', scale: { type: 'log' }, title: opts.yTitle },
    color: { field: 'series', type: 'nominal', title: opts.legend ?? 'series' },
  };
  return {
    $schema: SCHEMA,
    title: opts.title,
    width: 420,
    height: 280,
    layer: [
      { data: { values: opts.points }, mark: { type: 'point', filled: true }, encoding: enc },
      { data: { values: line }, mark: { type: 'line' }, encoding: enc },
    ],
  };
}

/** Curves y(x) per series; `logY` for losses. */
export function curveFigure(opts: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: { x: number; y: number; series: string }[];
  logX?: boolean;
  logY?: boolean;
  legend?: string;
}): FigureSpec {
  return {
    $schema: SCHEMA,
    title: opts.title,
    width: 420,
    height: 280,
    data: { values: opts.points },
    mark: { type: 'line', point: opts.points.length <= 60 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle, ...(opts.logX ? { scale: { type: 'log' } } : {}) },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle, ...(opts.logY ? { scale: { type: 'log' } } : {}) },
      color: { field: 'series', type: 'nominal', title: opts.legend ?? 'series' },
    },
  };
}

/** Thins a series to at most `max` points, keeping the first and the last. */
export function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const out: T[] = [];
  const step = (xs.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(xs[Math.round(i * step)]!);
  return out;
}

/** A finite number or null (metrics never hold NaN or ±Infinity). */
export function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
