// The Embedding Principle for CNNs (theory/embedding.ts, channel split): over random small CNNs, both
// parameterizations, conv/pool/dense slots and every α, splitting a channel is output-preserving (forward of the wide
// net equals the narrow one), and gradient-mapping: the wide gradient at the split point is the split image V of the
// narrow gradient for mse and xent (hence a narrow critical point maps to a wide one). The rival widening (a dead-end
// channel: random incoming, zero outgoing) preserves the output but not, in general, the gradient.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cnnLossGrad,
  cnnOutputDim,
  cnnParamCount,
  cnnShapes,
  flattenCnnGrads,
  forwardCnn,
  type Cnn,
  type ConvLayer,
  type DenseLayer,
} from '../../theory/cnn.ts';
import { channelSlot, cnnParamLayers, deadEndChannel, splitChannel, splitChannelGrads } from '../../theory/embedding.ts';
import type { Mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';
import { archArb, build, type Arch } from './cnn-arbitrary.ts';

/** Architectures with at least two parameter layers (something to widen). */
const wideArb = archArb.filter((a) => a.hidden !== undefined || a.body.some((l) => l.type === 'conv'));

const slotArb = fc.record({ layerRaw: fc.nat(), channelRaw: fc.nat(), alpha: fc.oneof(fc.double({ min: -2, max: 3, noNaN: true }), fc.constantFrom(0, 0.5, 1)) });

function pick(net: Cnn, s: { layerRaw: number; channelRaw: number }) {
  const p = cnnParamLayers(net);
  const layer = 1 + (s.layerRaw % (p.length - 1));
  const inc = net.layers[p[layer - 1]!] as ConvLayer | DenseLayer;
  const width = inc.type === 'conv' ? inc.cout : inc.nOut;
  return { layer, channel: s.channelRaw % width };
}

function netOf(a: Arch) {
  const b = build(a);
  // A kept conv layer is not guaranteed (it may not fit): skip nets with a single parameter layer.
  return cnnParamLayers(b.net).length >= 2 ? b : null;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

describe('channel splitting', () => {
  it('is output-preserving for every input, both parameterizations and every slot', () => {
    fc.assert(
      fc.property(wideArb, slotArb, (a, s) => {
        const b = netOf(a);
        fc.pre(b !== null);
        const { net, X } = b!;
        const { layer, channel } = pick(net, s);
        const wide = splitChannel(net, layer, channel, s.alpha);
        expect(cnnParamCount(wide)).toBeGreaterThan(cnnParamCount(net));
        const f = forwardCnn(net, X).data;
        const g = forwardCnn(wide, X).data;
        // a·v + (1 − a)·v equals v to about ε·(|a| + |1 − a|) per term.
        const tol = 1e-12 * (Math.abs(s.alpha) + Math.abs(1 - s.alpha) + 1) * Math.max(1, maxAbs(f));
        for (let q = 0; q < f.length; q++) expect(Math.abs(f[q]! - g[q]!)).toBeLessThan(tol);
      }),
      FC,
    );
  });

  it('adds exactly one channel to the split layer and one input channel (one row per spatial group) to the next', () => {
    fc.assert(
      fc.property(wideArb, slotArb, (a, s) => {
        const b = netOf(a);
        fc.pre(b !== null);
        const { net } = b!;
        const { layer, channel } = pick(net, s);
        const slot = channelSlot(net, layer, channel);
        const wide = splitChannel(net, layer, channel, s.alpha);
        const narrowShapes = cnnShapes(net);
        const wideShapes = cnnShapes(wide);
        const ns = narrowShapes[slot.at]!;
        const ws = wideShapes[slot.at]!;
        if (ns.kind === 'map' && ws.kind === 'map') expect(ws.c).toBe(ns.c + 1);
        else if (ns.kind === 'flat' && ws.kind === 'flat') expect(ws.n).toBe(ns.n + 1);
        else throw new Error('shape kind changed');
        const nn = net.layers[slot.next]!;
        const wn = wide.layers[slot.next]!;
        if (nn.type === 'conv' && wn.type === 'conv') expect(wn.cin).toBe(nn.cin + 1);
        if (nn.type === 'dense' && wn.type === 'dense') expect(wn.nIn).toBe(nn.nIn + slot.groups);
        // The copy's incoming slice equals channel j's; under NTK c = √((C+1)/C).
        expect(slot.c).toBe(net.parameterization === 'ntk' ? Math.sqrt((slot.channels + 1) / slot.channels) : 1);
        expect(cnnOutputDim(wide)).toBe(cnnOutputDim(net));
      }),
      { ...FC, numRuns: 50 },
    );
  });

  for (const kind of ['mse', 'xent'] as const) {
    it(`maps gradients: ∇L_wide(Tθ) = V ∇L_narrow(θ) (${kind}), so critical points stay critical`, () => {
      fc.assert(
        fc.property(wideArb, slotArb, (a, s) => {
          const b = netOf(kind === 'xent' ? { ...a, nOut: Math.max(2, a.nOut) } : a);
          fc.pre(b !== null);
          const { net, X, rng } = b!;
          const { layer, channel } = pick(net, s);
          const k = cnnOutputDim(net);
          const Y: Mat = { rows: X.rows, cols: k, data: new Float64Array(X.rows * k) };
          if (kind === 'mse') Y.data.set(rng.normals(X.rows * k));
          else for (let i = 0; i < X.rows; i++) Y.data[i * k + rng.int(k)] = 1;
          const narrow = cnnLossGrad(net, X, Y, kind).grads;
          const wide = splitChannel(net, layer, channel, s.alpha);
          const got = flattenCnnGrads(cnnLossGrad(wide, X, Y, kind).grads);
          const want = flattenCnnGrads(splitChannelGrads(net, narrow, layer, channel, s.alpha));
          expect(got.length).toBe(want.length);
          const scale = Math.max(1e-300, maxAbs(want), maxAbs(flattenCnnGrads(narrow))) * (Math.abs(s.alpha) + Math.abs(1 - s.alpha) + 1);
          for (let q = 0; q < got.length; q++) expect(Math.abs(got[q]! - want[q]!)).toBeLessThan(1e-10 * scale);
        }),
        FC,
      );
    });
  }

  it('a dead-end channel preserves the output exactly, but the gradient of its zero outgoing weights is not zero', () => {
    fc.assert(
      fc.property(wideArb, slotArb, (a, s) => {
        const b = netOf({ ...a, activation: 'tanh' });
        fc.pre(b !== null);
        const { net, X, rng } = b!;
        const { layer } = pick(net, s);
        const slot = channelSlot(net, layer, 0);
        const inc = net.layers[slot.at] as ConvLayer | DenseLayer;
        const wide = deadEndChannel(net, layer, rng.normals(inc.W.length / slot.channels), rng.normal());
        const f = forwardCnn(net, X).data;
        const g = forwardCnn(wide, X).data;
        for (let q = 0; q < f.length; q++) expect(Math.abs(f[q]! - g[q]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(f)));
        // mse against random targets (a non-zero residual): the new rows of the next layer's W gradient, s_w·Σ φ(z_new)·δ.
        const k = cnnOutputDim(net);
        const Y: Mat = { rows: X.rows, cols: k, data: rng.normals(X.rows * k) };
        const gNext = cnnLossGrad(wide, X, Y, 'mse').grads[slot.next]!.W;
        const C1 = slot.channels + 1;
        let newRows = 0;
        for (let gq = 0; gq < slot.groups; gq++) for (let o = 0; o < slot.outs; o++) newRows = Math.max(newRows, Math.abs(gNext[(gq * C1 + slot.channels) * slot.outs + o]!));
        expect(newRows).toBeGreaterThan(0);
      }),
      { ...FC, numRuns: 50 },
    );
  });

  it('refuses the last parameter layer and channels out of range', () => {
    const { net } = build({ h: 3, w: 3, c: 1, body: [{ type: 'conv', kh: 2, kw: 2, cout: 2, stride: 1, padding: 'same' }], hidden: undefined, nOut: 1, activation: 'tanh', parameterization: 'ntk', seed: 3, n: 1 });
    expect(() => splitChannel(net, 2, 0, 0.5)).toThrow(/parameter layers 1\.\.1/);
    expect(() => splitChannel(net, 1, 2, 0.5)).toThrow(/channels 0\.\.1/);
  });
});
