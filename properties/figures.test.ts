// Figures a reviewer can read: every committed figure that draws more than one series shows a legend, so the network
// can be told from the prediction and the rivals (issue "Verdicts that discriminate"). Checked on the rendered SVGs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
