// Renders vega-lite specs to SVG in Node (no browser, no canvas): compile to vega, render headless.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { FigureSpec } from '../claim.ts';

const DEFAULTS = { background: 'white', config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ddd' } } };

export async function renderSvg(spec: FigureSpec): Promise<string> {
  const full = { ...DEFAULTS, ...spec } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
  try {
    return (await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}

/** File-safe figure name: `<claim-id>--<name>.svg`. */
export function figureFile(claimId: string, name: string): string {
  return `figures/${claimId}--${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.svg`;
}
