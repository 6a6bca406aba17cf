// A fast-check fuzz of every JSON tool's input: valid inputs are corrupted (malformed text, a number turned
// into null / a string / Infinity, a key dropped, an array emptied or nested) and the tool must either answer
// with finite JSON or refuse with an InputError (the CLI's exit 2 and one line). Any other exception is a crash.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/formats.ts';
import { TOOLS } from '../cli/tools/index.ts';
import { FC } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'dlclaims-fuzz-'));
let counter = 0;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One tool call: JSON documents passed as files under flags, plus plain arguments. */
export interface ToolCall {
  files: Record<string, Json>;
  args: string[];
}

type Corruption = { kind: 'truncate'; flag: string; at: number } | { kind: 'leaf'; flag: string; pick: number; to: 'null' | 'string' | 'inf' | 'bool' } | { kind: 'drop'; flag: string; pick: number } | { kind: 'empty'; flag: string; pick: number } | { kind: 'nest'; flag: string; pick: number };

function paths(v: Json, pred: (x: Json) => boolean, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (pred(v)) out.push(at);
  if (Array.isArray(v)) v.forEach((e, i) => paths(e, pred, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, e] of Object.entries(v)) paths(e, pred, [...at, k], out);
  return out;
}

function setAt(root: Json, p: (string | number)[], f: (parent: any, key: string | number) => void): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  if (p.length === 0) return copy;
  let node: any = copy;
  for (const k of p.slice(0, -1)) node = node[k];
  f(node, p[p.length - 1]!);
  return copy;
}

/** Applies a corruption; returns the text of each file. */
function corrupt(call: ToolCall, c: Corruption): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [flag, doc] of Object.entries(call.files)) {
    let d = doc;
    let text: string | undefined;
    if (flag === c.flag) {
      if (c.kind === 'truncate') {
        const full = JSON.stringify(doc);
        text = full.slice(0, Math.max(0, Math.min(full.length - 1, c.at % full.length)));
      } else if (c.kind === 'leaf') {
        const ps = paths(doc, (x) => typeof x === 'number');
        if (ps.length) d = setAt(doc, ps[c.pick % ps.length]!, (p, k) => (p[k] = c.to === 'null' ? null : c.to === 'string' ? 'NaN' : c.to === 'bool' ? true : 'INF'));
        if (c.to === 'inf') text = JSON.stringify(d).replace('"INF"', '1e400'); // JSON.parse gives Infinity
      } else if (c.kind === 'drop') {
        const ps = paths(doc, () => true).filter((p) => typeof p[p.length - 1] === 'string');
        if (ps.length) d = setAt(doc, ps[c.pick % ps.length]!, (p, k) => delete p[k]);
      } else if (c.kind === 'empty') {
        const ps = paths(doc, (x) => Array.isArray(x));
        if (ps.length) d = setAt(doc, ps[c.pick % ps.length]!, (p, k) => (p[k] = []));
      } else {
        const ps = paths(doc, (x) => Array.isArray(x));
        if (ps.length) d = setAt(doc, ps[c.pick % ps.length]!, (p, k) => (p[k] = [p[k]]));
      }
    }
    texts[flag] = text ?? JSON.stringify(d);
  }
  return texts;
}

function corruption(flags: string[]): fc.Arbitrary<Corruption> {
  const flag = fc.constantFrom(...flags);
  const pick = fc.nat(10_000);
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), flag, at: fc.nat(10_000) }),
    fc.record({ kind: fc.constant('leaf' as const), flag, pick, to: fc.constantFrom('null' as const, 'string' as const, 'inf' as const, 'bool' as const) }),
    fc.record({ kind: fc.constant('drop' as const), flag, pick }),
    fc.record({ kind: fc.constant('empty' as const), flag, pick }),
    fc.record({ kind: fc.constant('nest' as const), flag, pick }),
  );
}

function finiteJson(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(finiteJson);
  if (v && typeof v === 'object') return Object.values(v).every(finiteJson);
  return true;
}

/** Runs the tool in-process on the corrupted call: InputError or finite JSON, nothing else. */
async function callCorrupted(tool: string, call: ToolCall, c: Corruption): Promise<'refused' | 'answered'> {
  const texts = corrupt(call, c);
  const argv: string[] = [];
  for (const [flag, text] of Object.entries(texts)) {
    const p = join(dir, `f${counter++}.json`);
    writeFileSync(p, text);
    argv.push(`--${flag}`, p);
  }
  try {
    const out = await (await TOOLS[tool.split(' ')[0]!]!()).run([...argv, ...call.args]);
    expect(finiteJson(out), `${tool} answered with non-finite JSON`).toBe(true);
    return 'answered';
  } catch (e) {
    if (e instanceof InputError) {
      expect(e.message).not.toContain('\n');
      return 'refused';
    }
    throw new Error(`${tool} crashed on ${JSON.stringify(c)}: ${(e as Error).stack}`);
  }
}

const finite = fc.double({ min: -3, max: 3, noNaN: true });

/** A valid (net, x, data) triple for the MLP tools. */
const mlpCall = fc
  .record({ widths: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 }), n: fc.integer({ min: 1, max: 3 }), activation: fc.constantFrom('relu', 'tanh', 'erf', 'linear'), parameterization: fc.constantFrom('standard', 'ntk') })
  .chain(({ widths, n, activation, parameterization }) =>
    fc.record({
      net: fc.record({
        format: fc.constant('mlp-v1'),
        activation: fc.constant(activation),
        parameterization: fc.constant(parameterization),
        sigmaW: fc.constant(1.2),
        sigmaB: fc.constant(0.3),
        layers: fc.tuple(...widths.slice(1).map((w, l) => fc.record({ W: fc.array(fc.array(finite, { minLength: w, maxLength: w }), { minLength: widths[l]!, maxLength: widths[l]! }), b: fc.array(finite, { minLength: w, maxLength: w }) }))),
      }),
      x: fc.array(fc.array(finite, { minLength: widths[0]!, maxLength: widths[0]! }), { minLength: n, maxLength: n }),
      y: fc.array((widths.at(-1) === 1 ? finite : fc.array(finite, { minLength: widths.at(-1)!, maxLength: widths.at(-1)! })) as fc.Arbitrary<Json>, { minLength: n, maxLength: n }),
    }),
  );

/** Per tool: an arbitrary valid call. Families add their tools here. */
export const VALID_CALLS: Record<string, fc.Arbitrary<ToolCall>> = {
  forward: mlpCall.map((c) => ({ files: { net: c.net as Json, x: { x: c.x } }, args: [] })),
  'loss-grad': mlpCall.map((c) => ({ files: { net: c.net as Json, data: { x: c.x, y: c.y as Json } }, args: [] })),
  // nets with a hidden layer, so layer 1, neuron 0 exists
  // separable by construction: the first coordinate of y·x is positive
  maxmargin: fc
    .array(fc.tuple(fc.double({ min: 0.1, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(1, -1)), { minLength: 1, maxLength: 6 })
    .map((r) => ({ files: { data: { x: r.map(([a, b, s]) => [s * a, b]), y: r.map(([, , s]) => s) } }, args: ['--steps', '200'] })),
  // 1-D data on distinct nodes (coincident nodes are refused, as they should be)
  lfp: fc
    .record({ nodes: fc.uniqueArray(fc.integer({ min: -20, max: 20 }), { minLength: 3, maxLength: 6 }), y: fc.array(finite, { minLength: 6, maxLength: 6 }), at: fc.array(finite, { minLength: 1, maxLength: 4 }) })
    .map(({ nodes, y, at }) => ({ files: { data: { x: nodes.map((v) => [v / 10]), y: nodes.map((_, i) => y[i]!) }, x: { x: at.map((v) => [v]) } }, args: ['--a', '0.5', '--b', '0.2'] })),
  ntk: mlpCall.filter((c) => c.net.layers.at(-1)!.b.length === 1).map((c) => ({ files: { net: c.net as Json, x: { x: c.x } }, args: [] })),
  'ntk --analytic': fc
    .record({ x: fc.array(fc.array(finite, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }), activation: fc.constantFrom('relu', 'erf'), depth: fc.integer({ min: 1, max: 3 }) })
    .map(({ x, activation, depth }) => ({ files: { x: { x } }, args: ['--analytic', '--activation', activation, '--depth', String(depth), '--sigma-w', '1.5', '--sigma-b', '0.1'] })),
  embed: mlpCall.filter((c) => c.net.layers.length >= 2).map((c) => ({ files: { net: c.net as Json }, args: ['--layer', '1', '--neuron', '0', '--alpha', '0.3'] })),
};

describe('tool input fuzz: refuse with one line or answer with finite JSON, never crash', () => {
  for (const [tool, valid] of Object.entries(VALID_CALLS)) {
    it(`${tool}: valid inputs are answered`, async () => {
      await fc.assert(fc.asyncProperty(valid, async (call) => {
        const out = await (await TOOLS[tool.split(' ')[0]!]!()).run(Object.entries(call.files).flatMap(([flag, doc]) => {
          const p = join(dir, `v${counter++}.json`);
          writeFileSync(p, JSON.stringify(doc));
          return [`--${flag}`, p];
        }).concat(call.args));
        expect(finiteJson(out)).toBe(true);
      }), { ...FC, numRuns: 30 });
    });
    it(`${tool}: corrupted inputs are refused cleanly`, async () => {
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(valid.chain((call) => fc.tuple(fc.constant(call), corruption(Object.keys(call.files)))), async ([call, c]) => {
          if ((await callCorrupted(tool, call, c)) === 'refused') refused++;
        }),
        { ...FC, numRuns: 150 },
      );
      expect(refused).toBeGreaterThan(100); // nearly every corruption must be noticed
    });
  }
});
