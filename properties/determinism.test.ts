// Determinism rules that code review would otherwise have to catch: every random number flows from seeded
// streams (core/rng.ts), never Math.random or an unseeded TensorFlow.js random op; and the streams themselves
// are reproducible and independent across claims and replicates.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimRng } from '../core/rng.ts';

const ROOTS = ['core', 'cli', 'theory', 'experiments', 'bench', 'bin'];
const TFJS_RANDOM = /\btf\.(randomNormal|randomUniform|truncatedNormal|randomGamma|multinomial|randomStandardNormal)\s*\(/;

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(sourceFiles(p));
    else if (/\.(ts|mts|js|mjs)$/.test(e)) out.push(p);
  }
  return out;
}

describe('no unseeded randomness in the suite', () => {
  const files = ROOTS.flatMap(sourceFiles);
  it('finds the source files', () => expect(files.length).toBeGreaterThan(10));
  for (const f of files) {
    it(f, () => {
      const code = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*)/.test(l)) // comments may name what they forbid
        .join('\n');
      expect(code, `${f} calls Math.random`).not.toMatch(/Math\.random\s*\(/);
      const m = code.match(TFJS_RANDOM);
      // A tfjs random op is allowed only with an explicit seed argument; the suite's engines use none.
      expect(m && !/seed/.test(code.slice(m.index!, m.index! + 200)), `${f} calls ${m?.[0]} without a seed`).toBeFalsy();
    });
  }
});

describe('seeded streams', () => {
  it('reproduce for the same key and differ across claims, replicates and labels', () => {
    const draw = (id: string, r: number, label = '') => {
      const g = claimRng(1, id, r, label);
      return [g.uniform(), g.normal(), g.int(1000)];
    };
    expect(draw('a.b', 0)).toEqual(draw('a.b', 0));
    expect(draw('a.b', 0)).not.toEqual(draw('a.b', 1));
    expect(draw('a.b', 0)).not.toEqual(draw('a.c', 0));
    expect(draw('a.b', 0)).not.toEqual(draw('a.b', 0, 'init'));
  });

  it('normals have mean 0 and variance 1 (5σ bounds over 20000 draws)', () => {
    const g = claimRng(3, 'x.y', 0);
    const xs = g.normals(20000);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(20000));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / 20000));
  });
});
