// Figures a reviewer can read: every committed figure that draws more than one series shows a legend, so the network
// can be told from the prediction and the rivals (issue "Verdicts that discriminate"). Checked on the rendered SVGs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSvg, specKey } from '../core/report/figures.ts';
import { seriesCount } from './support/svg.ts';

const DIRS = ['reports/figures'];

describe('committed figures', () => {
  for (const dir of DIRS) {
    const files = readdirSync(dir).filter((f) => f.endsWith('.svg'));
    it(`${dir}: every figure with several series has a legend`, () => {
      const missing = files.filter((f) => {
        const svg = readFileSync(join(dir, f), 'utf8');
        return seriesCount(svg) > 1 && !svg.includes('role-legend');
      });
      expect(missing).toEqual([]);
    });
  }
});

describe('seriesCount', () => {
  const mark = (cls: string, attrs: string[]) => `<g class="${cls} role-mark layer_0_marks">${attrs.map((a) => `<path ${a}></path>`).join('')}</g>`;
  it('counts distinct (mark, colour) pairs among data marks, ignoring axes, grids and text', () => {
    expect(seriesCount(`<svg>${mark('mark-line', ['stroke="#4c78a8"'])}<g class="mark-rule role-axis-grid"><line stroke="#ddd"/></g></svg>`)).toBe(1);
    expect(seriesCount(`<svg>${mark('mark-line', ['stroke="#4c78a8"', 'stroke="#f58518"'])}</svg>`)).toBe(2);
    expect(seriesCount(`<svg>${mark('mark-line', ['stroke="#4c78a8"'])}${mark('mark-symbol', ['fill="#4c78a8"'])}</svg>`)).toBe(2);
    expect(seriesCount(`<svg>${mark('mark-text', ['fill="#000"', 'fill="#111"'])}</svg>`)).toBe(0);
  });
});

describe('renderSvg memo (issue 19: a rival that judges its claim\'s runs draws the same figure)', () => {
  it('keys a spec by everything vega-lite sees: values JSON would merge stay apart', () => {
    const k = (values: unknown[]) => specKey({ data: { values }, mark: 'point' });
    expect(k([{ x: 1 }])).toBe(k([{ x: 1 }]));
    expect(k([{ x: 1 }])).not.toBe(k([{ x: 2 }]));
    expect(k([{ x: NaN }])).not.toBe(k([{ x: null }]));
    expect(k([{ x: Infinity }])).not.toBe(k([{ x: null }]));
    expect(k([{ x: -0 }])).not.toBe(k([{ x: 0 }]));
    expect(k([{ x: undefined }])).not.toBe(k([{}]));
    expect(k([{ x: 'a' }])).not.toBe(k([{ x: '"a"' }]));
    // Anything but plain data (a Date, a class instance, a function) is never memoized.
    expect(k([{ x: new Date(0) }])).toBeUndefined();
    expect(k([{ x: new Map() }])).toBeUndefined();
    expect(specKey({ mark: 'point', f: () => 1 })).toBeUndefined();
  });
  it('gives a repeated spec the very SVG a fresh render gives, and a different spec its own', async () => {
    const spec = (y: number) => ({ width: 60, height: 40, data: { values: [{ x: 0, y: 0 }, { x: 1, y }] }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
    const first = await renderSvg(spec(1));
    const other = await renderSvg(spec(2));
    const again = await renderSvg(JSON.parse(JSON.stringify(spec(1))));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    // Past the memo (more recent specs than it keeps), the same spec renders again to the same bytes.
    for (let y = 3; y < 25; y++) await renderSvg(spec(y));
    expect(await renderSvg(spec(1))).toBe(first);
  });
});
