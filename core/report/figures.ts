// Renders vega-lite specs to SVG in Node (no browser, no canvas): compile to vega, render headless.
// vega and vega-lite load on first render, so commands that draw nothing (list, --help, diff) never load them.
// Deterministic output: vega numbers gradients and clip paths from module-wide counters, so an SVG's ids would
// depend on what was rendered before it in the process (render order, worker split, cache). The counters are reset
// before every render, so each figure's ids depend only on its own spec.
import type { FigureSpec } from '../claim.ts';

const DEFAULTS = { background: 'white', config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ddd' } } };

let libs: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

export async function renderSvg(spec: FigureSpec): Promise<string> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, vl] = await libs;
  const full = { ...DEFAULTS, ...spec } as unknown as import('vega-lite').TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(full).spec), { renderer: 'none' });
  try {
    vega.resetSVGDefIds();
    return (await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}

/** File-safe figure name: `<claim-id>--<name>.svg`. */
export function figureFile(claimId: string, name: string): string {
  return `figures/${claimId}--${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.svg`;
}
