// The command line as users and outside tools call it: JSON contracts of `forward` and `loss-grad` on a
// hand-computed network, and bad input answered by exit code 2 and one clear line naming the field.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'dlclaims-cli-'));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/dlclaims.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// f(x) = 2·relu(x1 − x2 + 0.5) − 1 for the standard parameterization.
const net = {
  format: 'mlp-v1',
  activation: 'relu',
  parameterization: 'standard',
  sigmaW: 1,
  sigmaB: 0,
  layers: [
    { W: [[1], [-1]], b: [0.5] },
    { W: [[2]], b: [-1] },
  ],
};

describe('forward and loss-grad contracts', () => {
  it('forward computes z = h·W + b with ReLU hidden layers', () => {
    const r = cli('forward', '--net', file('net.json', net), '--x', file('x.json', { x: [[1, 0], [0, 1]] }));
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ y: [[2], [-1]] });
  });

  it('ntk parameterization scales by sigmaW/sqrt(n_in) and sigmaB', () => {
    const ntkNet = { ...net, parameterization: 'ntk', sigmaW: 2, sigmaB: 0.5 };
    const r = cli('forward', '--net', file('ntk.json', ntkNet), '--x', file('x1.json', { x: [[1, 0]] }));
    // h = relu(2/√2·1 + 0.5·0.5) = √2 + 0.25; f = 2/√1·2·h + 0.5·(−1)
    expect(JSON.parse(r.out).y[0][0]).toBeCloseTo(4 * (Math.SQRT2 + 0.25) - 0.5, 12);
  });

  it('sigmaW and sigmaB are optional (ignored) for a standard net', () => {
    const { sigmaW: _w, sigmaB: _b, ...bare } = net;
    const r = cli('forward', '--net', file('bare.json', bare), '--x', file('xb.json', { x: [[1, 0]] }));
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ y: [[2]] });
  });

  it('loss-grad returns L = (1/2n)Σ||f − y||² and its gradient in the layer layout', () => {
    const r = cli('loss-grad', '--net', file('net2.json', net), '--data', file('d.json', { x: [[1, 0], [0, 1]], y: [1, -1] }));
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    // residuals: 2 − 1 = 1 and −1 − (−1) = 0 ⇒ L = (1/4)·1; only x1 = (1, 0) (hidden 1.5 active) contributes.
    expect(out.loss).toBeCloseTo(0.25, 15);
    expect(out.grad.layers[1]).toEqual({ W: [[0.75]], b: [0.5] });
    expect(out.grad.layers[0]).toEqual({ W: [[1], [0]], b: [1] });
  });
});

describe('bad input: exit 2, one line naming the field, nothing on stdout', () => {
  const good = file('good.json', net);
  const cases: [string, string[], RegExp][] = [
    ['malformed JSON', ['forward', '--net', file('bad.json', '{"format": '), '--x', file('p.json', { x: [[1, 2]] })], /--net: .* not valid JSON/],
    ['missing file', ['forward', '--net', join(dir, 'nope.json'), '--x', good], /--net: cannot read/],
    ['wrong format tag', ['forward', '--net', file('v0.json', { ...net, format: 'mlp-v0' }), '--x', file('p2.json', { x: [[1, 2]] })], /net\.format: expected "mlp-v1"/],
    ['layers that do not chain', ['forward', '--net', file('chain.json', { ...net, layers: [net.layers[0], { W: [[1], [2]], b: [0] }] }), '--x', file('p3.json', { x: [[1, 2]] })], /net\.layers\[1\]\.W: expected 1 rows, got 2/],
    ['NaN smuggled as null', ['forward', '--net', good, '--x', file('nan.json', { x: [[1, null]] })], /x\.x\[0\]\[1\]: expected a finite number, got null/],
    ['wrong input dimension', ['forward', '--net', good, '--x', file('dim.json', { x: [[1, 2, 3]] })], /x\.x\[0\]: expected 2 entries, got 3/],
    ['y of the wrong length', ['loss-grad', '--net', good, '--data', file('y.json', { x: [[1, 2]], y: [1, 2] })], /data\.y: expected 1 entries/],
    ['unknown option', ['forward', '--nett', good], /--nett: unknown option/],
    ['an NTK net without sigmaB', ['forward', '--net', file('nosb.json', { ...net, parameterization: 'ntk', sigmaB: undefined }), '--x', file('p4.json', { x: [[1, 2]] })], /net\.sigmaB: expected a finite number/],
    ['unknown command', ['frobnicate'], /frobnicate: unknown command/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    });
  }
});
