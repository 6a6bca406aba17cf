// Exact properties of theory/embedding.ts (Embedding Principle, BRIEF §4.2–4.3): the embedding operators are
// output preserving and linear, their gradient map V is exact, embedded critical points stay critical with the
// predicted zero directions and split curvature, and network reduction (condense) inverts splitting.
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { findCriticalPoint, gradNorm, hessian, hessianVector, inertia, norm2, spectrum, xentLossGrad } from '../../theory/critical.ts';
import {
  alphaTangent,
  condense,
  copyOutgoingSplit,
  embed,
  embedGrads,
  embedGradStep,
  embedStep,
  hiddenWidths,
  nullNeuron,
  deadEndUnit,
  splitCurvature,
  splitCurvatureAt,
  splitNeuron,
  splitSubspace,
  splitSubspaceAt,
  uncompensatedStep,
  widthCompensation,
  type EmbedStep,
} from '../../theory/embedding.ts';
import {
  ACTIVATIONS,
  activateDeriv,
  flattenGrads,
  flattenParams,
  forward,
  forwardTrace,
  initMlp,
  layerScales,
  mat,
  mseLossGrad,
  paramCount,
  withParams,
  type Activation,
  type Mat,
  type Mlp,
  type Parameterization,
} from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

/** α on a 0.001 grid of [−3, 3] (fc.double favours tiny magnitudes, which hide α-dependent mistakes at small numRuns). */
const alphaArb = fc.integer({ min: -3000, max: 3000 }).map((k) => k / 1000);

const arch = fc.record({
  hidden: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  dIn: fc.integer({ min: 1, max: 3 }),
  dOut: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  sigmaW: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
  sigmaB: fc.double({ min: 0, max: 1.5, noNaN: true }),
  n: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type Arch = typeof arch extends fc.Arbitrary<infer T> ? T : never;

/** Raw step choices, resolved against the current widths so every generated step is valid. */
const rawSteps = fc.array(
  fc.record({ kind: fc.constantFrom<'split' | 'null'>('split', 'split', 'null'), layer: fc.nat(), neuron: fc.nat(), alpha: alphaArb }),
  { minLength: 1, maxLength: 3 },
);

function resolve(net: Mlp, raw: { kind: 'split' | 'null'; layer: number; neuron: number; alpha: number }[]): EmbedStep[] {
  const steps: EmbedStep[] = [];
  let cur = net;
  for (const r of raw) {
    const layer = 1 + (r.layer % (cur.layers.length - 1));
    const step: EmbedStep = r.kind === 'split' ? { kind: 'split', layer, neuron: r.neuron % cur.layers[layer - 1]!.nOut, alpha: r.alpha } : { kind: 'null', layer };
    steps.push(step);
    cur = embedStep(cur, step);
  }
  return steps;
}

function build(a: Arch): { net: Mlp; X: Mat; Y: Mat; labels: number[] } {
  const rng = rngFromKey(`embedding-test/${a.seed}`);
  const widths = [a.dIn, ...a.hidden, a.dOut];
  const net = initMlp(widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: a.sigmaW, sigmaB: a.sigmaB }, rng);
  return {
    net,
    X: mat(a.n, a.dIn, rng.normals(a.n * a.dIn, 1.5)),
    Y: mat(a.n, a.dOut, rng.normals(a.n * a.dOut)),
    labels: Array.from({ length: a.n }, () => rng.int(a.dOut)),
  };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function relDiff(a: Float64Array, b: Float64Array): number {
  return norm2(a.map((v, i) => v - b[i]!)) / Math.max(norm2(b), 1e-300);
}

/** The error thrown by f (fails the test when f does not throw). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

/** A copy of `net` with the stored outgoing row of unit j of hidden layer `layer` multiplied by s. */
function scaleOutgoingRow(net: Mlp, layer: number, j: number, s: number): Mlp {
  const layers = net.layers.map((l) => ({ nIn: l.nIn, nOut: l.nOut, W: l.W.slice(), b: l.b.slice() }));
  const out = layers[layer]!;
  for (let q = 0; q < out.nOut; q++) out.W[j * out.nOut + q]! *= s;
  return { ...net, layers };
}

describe('embedding operators (fast-check, float64)', () => {
  it('output preserving: f_{Tθ}(x) = f_θ(x) for compositions of splits and null units, both parameterizations', () => {
    fc.assert(
      fc.property(arch, rawSteps, (a, raw) => {
        const { net, X } = build(a);
        const steps = resolve(net, raw);
        const f0 = forward(net, X).data;
        const f1 = forward(embed(net, steps), X).data;
        expect(maxDiff(f0, f1)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f0)));
      }),
      { ...FC, numRuns: 12 },
    );
  });

  it('each step widens exactly its layer by one unit (hiddenWidths), the other layers are bit-identical', () => {
    fc.assert(
      fc.property(arch, rawSteps, (a, raw) => {
        const { net } = build(a);
        expect(hiddenWidths(net)).toEqual(a.hidden);
        const [step] = resolve(net, raw.slice(0, 1)) as [EmbedStep];
        const wide = embedStep(net, step);
        expect(hiddenWidths(wide)).toEqual(a.hidden.map((h, i) => (i === step.layer - 1 ? h + 1 : h)));
        wide.layers.forEach((l, q) => {
          if (q === step.layer - 1 || q === step.layer) return;
          expect(Array.from(l.W)).toEqual(Array.from(net.layers[q]!.W));
          expect(Array.from(l.b)).toEqual(Array.from(net.layers[q]!.b));
          expect(l.W).not.toBe(net.layers[q]!.W); // a fresh network: training it in place leaves the narrow one
          expect(l.b).not.toBe(net.layers[q]!.b);
        });
        // The next layer's biases never change; the operators do not alias or modify the narrow network.
        expect(Array.from(wide.layers[step.layer]!.b)).toEqual(Array.from(net.layers[step.layer]!.b));
        expect(wide.layers[step.layer]!.b).not.toBe(net.layers[step.layer]!.b);
        expect(flattenParams(build(a).net)).toEqual(flattenParams(net));
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('the copy is last, with the incoming weights and bias of unit j, and the split outgoing weights α·w_j, (1−α)·w_j', () => {
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), alphaArb, (a, l0, j0, alpha) => {
        const { net } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const m = net.layers[layer - 1]!.nOut;
        const j = j0 % m;
        const wide = splitNeuron(net, layer, j, alpha);
        const inc = wide.layers[layer - 1]!;
        const out = wide.layers[layer]!;
        expect(inc.nOut).toBe(m + 1);
        expect(out.nIn).toBe(m + 1);
        for (let k = 0; k < inc.nIn; k++) {
          expect(inc.W[k * (m + 1) + m]).toBe(net.layers[layer - 1]!.W[k * m + j]);
          for (let u = 0; u < m; u++) expect(inc.W[k * (m + 1) + u]).toBe(net.layers[layer - 1]!.W[k * m + u]);
        }
        expect(Array.from(inc.b)).toEqual([...Array.from(net.layers[layer - 1]!.b), net.layers[layer - 1]!.b[j]]);
        // Effective outgoing weights (layer scale × stored W): α·w_j on j, (1−α)·w_j on the copy, others unchanged.
        const sN = layerScales(net, m).w;
        const sW = layerScales(wide, m + 1).w;
        const q = out.nOut;
        for (let u = 0; u < m; u++)
          for (let c = 0; c < q; c++) {
            const w = sN * net.layers[layer]!.W[u * q + c]!;
            expect(sW * out.W[u * q + c]!).toBeCloseTo(u === j ? alpha * w : w, 12);
            if (u === j) expect(sW * out.W[m * q + c]!).toBeCloseTo((1 - alpha) * w, 12);
          }
      }),
      { ...FC, numRuns: 12 },
    );
  });

  it('widthCompensation is √((n+1)/n) under NTK scaling (σ_W/√n → σ_W/√(n+1)) and 1 in the standard one', () => {
    for (const n of [1, 2, 3, 7]) {
      const c = widthCompensation({ parameterization: 'ntk' }, n);
      expect(c).toBeCloseTo(Math.sqrt((n + 1) / n), 15);
      // The defining property: c·σ_W/√(n+1) = σ_W/√n, so the effective weights are unchanged.
      expect((c * 1.3) / Math.sqrt(n + 1)).toBeCloseTo(1.3 / Math.sqrt(n), 14);
      expect(widthCompensation({ parameterization: 'standard' }, n)).toBe(1);
    }
  });

  it('the null unit has zero incoming weights, bias and outgoing row', () => {
    fc.assert(
      fc.property(arch, fc.nat(), (a, l0) => {
        const { net } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const m = net.layers[layer - 1]!.nOut;
        const wide = nullNeuron(net, layer);
        const inc = wide.layers[layer - 1]!;
        const out = wide.layers[layer]!;
        for (let k = 0; k < inc.nIn; k++) expect(inc.W[k * (m + 1) + m]).toBe(0);
        expect(inc.b[m]).toBe(0);
        expect(Array.from(out.W.subarray(m * out.nOut))).toEqual(new Array(out.nOut).fill(0));
        expect(embedStep(net, { kind: 'null', layer })).toEqual(wide);
      }),
      { ...FC, numRuns: 8 },
    );
  });

  it('splitting is affine in α: the wide parameters at α are the α-interpolation of those at α = 0 and α = 1', () => {
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), alphaArb, (a, l0, j0, alpha) => {
        const { net } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const j = j0 % net.layers[layer - 1]!.nOut;
        const t0 = flattenParams(splitNeuron(net, layer, j, 0));
        const t1 = flattenParams(splitNeuron(net, layer, j, 1));
        const ta = flattenParams(splitNeuron(net, layer, j, alpha));
        expect(maxDiff(ta, t0.map((v, i) => (1 - alpha) * v + alpha * t1[i]!))).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(t0), maxAbs(t1)) * (1 + Math.abs(alpha)));
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('the α tangent is d/dα of the wide parameters (T_α is affine in α, so T_1 − T_0 is exact), at any depth', () => {
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), (a, l0, j0) => {
        const { net } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const j = j0 % net.layers[layer - 1]!.nOut;
        const t = alphaTangent(net, layer, j);
        const diff = flattenParams(splitNeuron(net, layer, j, 1)).map((v, i) => v - flattenParams(splitNeuron(net, layer, j, 0))[i]!);
        expect(t.length).toBe(diff.length);
        expect(maxDiff(t, diff)).toBeLessThanOrEqual(1e-14 * Math.max(1, maxAbs(diff)));
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('gradient map: ∇L_wide(Tθ) = V∇L_narrow(θ) at any θ, for MSE and softmax cross-entropy', () => {
    fc.assert(
      fc.property(arch, rawSteps, (a, raw) => {
        const { net, X, Y, labels } = build(a);
        const steps = resolve(net, raw);
        const wide = embed(net, steps);
        const mse = relDiff(flattenGrads(mseLossGrad(wide, X, Y).grads), flattenGrads(embedGrads(net, mseLossGrad(net, X, Y).grads, steps)));
        const xent = relDiff(flattenGrads(xentLossGrad(wide, X, labels).grads), flattenGrads(embedGrads(net, xentLossGrad(net, X, labels).grads, steps)));
        expect(mse).toBeLessThanOrEqual(1e-10);
        if (a.dOut > 1) expect(xent).toBeLessThanOrEqual(1e-10);
      }),
      { ...FC, numRuns: 12 },
    );
  });

  it('V is linear and acts on the grads it is given (V of any vector g = the layer blocks of one step, not of ∇L)', () => {
    // V of one split on an arbitrary g: the incoming column j is shared α·g, (1−α)·g; both outgoing rows get row j / c.
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), alphaArb, (a, l0, j0, alpha) => {
        const { net } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const m = net.layers[layer - 1]!.nOut;
        const j = j0 % m;
        const rng = rngFromKey(`V/${a.seed}`);
        const g = net.layers.map((l) => ({ W: rng.normals(l.W.length), b: rng.normals(l.b.length) }));
        const gCopy = g.map((x) => ({ W: x.W.slice(), b: x.b.slice() }));
        const c = widthCompensation(net, m);
        const V = embedGradStep(net, g, { kind: 'split', layer, neuron: j, alpha });
        expect(g).toEqual(gCopy); // the input is not modified
        const gi = g[layer - 1]!;
        const go = g[layer]!;
        const q = net.layers[layer]!.nOut;
        const nIn = net.layers[layer - 1]!.nIn;
        for (let k = 0; k < nIn; k++)
          for (let u = 0; u <= m; u++) {
            const want = u === j ? alpha * gi.W[k * m + j]! : u === m ? (1 - alpha) * gi.W[k * m + j]! : gi.W[k * m + u]!;
            expect(V[layer - 1]!.W[k * (m + 1) + u]).toBeCloseTo(want, 13);
          }
        for (let u = 0; u <= m; u++) expect(V[layer - 1]!.b[u]).toBeCloseTo(u === j ? alpha * gi.b[j]! : u === m ? (1 - alpha) * gi.b[j]! : gi.b[u]!, 13);
        for (let u = 0; u <= m; u++) for (let o = 0; o < q; o++) expect(V[layer]!.W[u * q + o]).toBeCloseTo(go.W[(u === m ? j : u) * q + o]! / c, 13);
        expect(Array.from(V[layer]!.b)).toEqual(Array.from(go.b));
        V.forEach((v, p) => {
          if (p === layer - 1 || p === layer) return;
          expect(Array.from(v.W)).toEqual(Array.from(g[p]!.W));
          expect(v.W).not.toBe(g[p]!.W);
          expect(v.b).not.toBe(g[p]!.b);
        });
        const Vn = embedGradStep(net, g, { kind: 'null', layer });
        expect(Array.from(Vn[layer]!.W.subarray(m * q))).toEqual(new Array(q).fill(0));
        for (let u = 0; u < m; u++) for (let o = 0; o < q; o++) expect(Vn[layer]!.W[u * q + o]).toBeCloseTo(go.W[u * q + o]! / c, 13);
        expect(Vn[layer - 1]!.b[m]).toBe(0);
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('with no steps V is the identity and returns fresh arrays', () => {
    const { net } = build({ hidden: [2], dIn: 2, dOut: 1, activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 1, n: 1, seed: 3 });
    const g = net.layers.map((l) => ({ W: l.W.slice(), b: l.b.slice() }));
    const V = embedGrads(net, g, []);
    expect(V).toEqual(g);
    V.forEach((v, p) => {
      expect(v.W).not.toBe(g[p]!.W);
      expect(v.b).not.toBe(g[p]!.b);
    });
    expect(embed(net, [])).toBe(net);
  });

  it('the null gradient map needs φ(0) = 0: an activation with φ(0) ≠ 0 is refused, naming the activation', () => {
    // Every mlp-v1 activation has φ(0) = 0; a name outside the contract (activate() gives no value) stands in for one.
    const { net } = build({ hidden: [2], dIn: 1, dOut: 1, activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1, n: 1, seed: 4 });
    const bad = { ...net, activation: 'sigmoid' as Activation };
    const g = net.layers.map((l) => ({ W: new Float64Array(l.W.length), b: new Float64Array(l.b.length) }));
    expect(thrown(() => embedGradStep(bad, g, { kind: 'null', layer: 1 })).message).toMatch(/φ\(0\) = 0.*sigmoid/);
    expect(() => embedGradStep(net, g, { kind: 'null', layer: 1 })).not.toThrow();
  });

  it('the copy-outgoing "split" (the control operator) computes the narrow network with unit j counted twice', () => {
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), (a, l0, j0) => {
        const { net, X } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const j = j0 % net.layers[layer - 1]!.nOut;
        const bad = copyOutgoingSplit(net, layer, j);
        const twice = forward(scaleOutgoingRow(net, layer, j, 2), X).data;
        expect(maxDiff(forward(bad, X).data, twice)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(twice)));
        // It agrees with the true split at α = 1 everywhere except the copy's outgoing row (c·w_j instead of 0).
        const good = splitNeuron(net, layer, j, 1);
        const m = net.layers[layer - 1]!.nOut;
        const q = net.layers[layer]!.nOut;
        expect(bad.layers[layer - 1]).toEqual(good.layers[layer - 1]);
        expect(Array.from(bad.layers[layer]!.W.subarray(0, m * q))).toEqual(Array.from(good.layers[layer]!.W.subarray(0, m * q)));
        const c = widthCompensation(net, m);
        for (let o = 0; o < q; o++) expect(bad.layers[layer]!.W[m * q + o]).toBe(c * net.layers[layer]!.W[j * q + o]!);
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('every operator refuses a layer outside 1..L−1, a neuron outside 0..n−1 and a non-finite α, naming the field', () => {
    const { net } = build({ hidden: [3, 2], dIn: 2, dOut: 1, activation: 'relu', parameterization: 'ntk', sigmaW: 1, sigmaB: 0.1, n: 1, seed: 5 });
    const g = net.layers.map((l) => ({ W: new Float64Array(l.W.length), b: new Float64Array(l.b.length) }));
    const ops: [string, (layer: number, neuron: number, alpha: number) => unknown][] = [
      ['splitNeuron', (l, j, a) => splitNeuron(net, l, j, a)],
      ['copyOutgoingSplit', (l, j) => copyOutgoingSplit(net, l, j)],
      ['embedGradStep', (l, j, a) => embedGradStep(net, g, { kind: 'split', layer: l, neuron: j, alpha: a })],
      ['alphaTangent', (l, j) => alphaTangent(net, l, j)],
    ];
    for (const [name, op] of ops) {
      for (const layer of [0, 3, 1.5, -1, NaN]) {
        const e = thrown(() => op(layer, 0, 0.5));
        expect(e, name).toBeInstanceOf(RangeError);
        expect(e.message, name).toBe(`layer ${layer}: the network has hidden layers 1..2`);
      }
      for (const [layer, neuron, n] of [[1, 3, 3], [1, -1, 3], [2, 2, 2], [1, 0.5, 3]] as const) {
        const e = thrown(() => op(layer, neuron, 0.5));
        expect(e, name).toBeInstanceOf(RangeError);
        expect(e.message, name).toBe(`neuron ${neuron}: hidden layer ${layer} has units 0..${n - 1}`);
      }
      // The edges of the ranges are accepted.
      expect(() => op(2, 1, 0.5)).not.toThrow();
      expect(() => op(1, 2, 0.5)).not.toThrow();
    }
    for (const alpha of [NaN, Infinity, -Infinity]) {
      expect(thrown(() => splitNeuron(net, 1, 0, alpha)).message).toBe(`alpha ${alpha}: expected a finite number`);
      expect(thrown(() => embedGradStep(net, g, { kind: 'split', layer: 1, neuron: 0, alpha })).message).toBe(`alpha ${alpha}: expected a finite number`);
    }
    for (const layer of [0, 3]) {
      expect(thrown(() => nullNeuron(net, layer)).message).toBe(`layer ${layer}: the network has hidden layers 1..2`);
      expect(thrown(() => embedGradStep(net, g, { kind: 'null', layer })).message).toBe(`layer ${layer}: the network has hidden layers 1..2`);
    }
    // A null step has no neuron or α to check.
    expect(() => embedStep(net, { kind: 'null', layer: 2 })).not.toThrow();
  });
});

// BRIEF §4.2's calibration data: 20 points evenly spaced on [−1, 1], target sin 3x + 0.3x.
const gridX = Array.from({ length: 20 }, (_, i) => -1 + (2 * i) / 19);
const data = { x: mat(20, 1, Float64Array.from(gridX)), y: mat(20, 1, Float64Array.from(gridX.map((x) => Math.sin(3 * x) + 0.3 * x))) };
/**
 * A nondegenerate critical point (a local minimum, loss ≈ 0.0223) of a 1-1-1 tanh network, Newton from a seeded
 * init. Computed on first use inside a test, not at import, so that mutation runs attribute its coverage per test.
 */
let narrowCache: Mlp | undefined;
function narrowMinimum(): Mlp {
  narrowCache ??= findCriticalPoint(
    initMlp([1, 1, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, rngFromKey('embedding-test/minimum')),
    data.x,
    data.y,
  ).net;
  return narrowCache;
}

describe('embedded critical points (BRIEF §4.2, exact Hessian)', () => {
  let narrow: Mlp;
  beforeEach(() => {
    narrow = narrowMinimum();
  });

  it('the narrow start is a critical point at float64 round-off, below the constant fit (a unit that contributes)', () => {
    expect(gradNorm(narrow, data.x, data.y)).toBeLessThan(1e-11);
    expect(mseLossGrad(narrow, data.x, data.y).loss).toBeLessThan(0.05);
  });

  it('criticality preserved and loss constant along α and along multi-step embeddings', () => {
    const base = mseLossGrad(narrow, data.x, data.y).loss;
    fc.assert(
      fc.property(rawSteps, (raw) => {
        const steps = resolve(narrow, raw);
        const wide = embed(narrow, steps);
        expect(gradNorm(wide, data.x, data.y)).toBeLessThan(1e-9);
        expect(Math.abs(mseLossGrad(wide, data.x, data.y).loss - base)).toBeLessThanOrEqual(1e-14);
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('zero directions: each split adds a zero Hessian eigenvalue, the α tangent is one, inertia never decreases', () => {
    const narrowInertia = inertia(spectrum(hessian(narrow, data.x, data.y), paramCount(narrow)).values, 1e-11);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 3, noNaN: true }).filter((a) => Math.abs(a) > 0.05 && Math.abs(1 - a) > 0.05), { minLength: 1, maxLength: 3 }), (alphas) => {
        const steps: EmbedStep[] = alphas.map((alpha, i) => ({ kind: 'split', layer: 1, neuron: i, alpha }));
        const wide = embed(narrow, steps);
        const eigs = spectrum(hessian(wide, data.x, data.y), paramCount(wide)).values;
        const wi = inertia(eigs, 1e-11);
        expect(wi.zero).toBeGreaterThanOrEqual(narrowInertia.zero + alphas.length);
        expect(wi.neg).toBeGreaterThanOrEqual(narrowInertia.neg);
        expect(wi.pos).toBeGreaterThanOrEqual(narrowInertia.pos);
        const one = splitNeuron(narrow, 1, 0, alphas[0]!);
        const t = alphaTangent(narrow, 1, 0);
        expect(norm2(t)).toBeGreaterThan(0);
        expect(norm2(hessianVector(one, data.x, data.y, t))).toBeLessThanOrEqual(1e-10 * norm2(t) * Math.max(...eigs.map(Math.abs)));
      }),
      { ...FC, numRuns: 5 },
    );
  });

  it('split subspace: Dᵀ H D = α(1−α)/(α²+(1−α)²)·H_s at an embedded critical point', () => {
    const Hs = splitCurvature(narrow, data.x, data.y, 0);
    expect(maxAbs(Hs)).toBeGreaterThan(1e-6);
    fc.assert(
      fc.property(alphaArb, (alpha) => {
        const wide = splitNeuron(narrow, 1, 0, alpha);
        const D = splitSubspace(narrow, 0, alpha);
        const HD = D.map((d) => hessianVector(wide, data.x, data.y, d));
        const factor = (alpha * (1 - alpha)) / (alpha * alpha + (1 - alpha) * (1 - alpha));
        const scale = maxAbs(Hs);
        D.forEach((di, p) =>
          HD.forEach((hj, q) => {
            const m = di.reduce((s, v, r) => s + v * hj[r]!, 0);
            expect(Math.abs(m - factor * Hs[p * D.length + q]!)).toBeLessThanOrEqual(1e-9 * scale);
          }),
        );
      }),
      { ...FC, numRuns: 8 },
    );
  });
});

const oneHidden = fc.record({
  m: fc.integer({ min: 1, max: 4 }),
  dIn: fc.integer({ min: 1, max: 3 }),
  dOut: fc.integer({ min: 1, max: 3 }),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  sigmaW: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
  sigmaB: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
  n: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type OneHidden = typeof oneHidden extends fc.Arbitrary<infer T> ? T : never;
const buildOne = (a: OneHidden, activation: Activation) => build({ ...a, hidden: [a.m], activation });

describe('split curvature and split subspace at any θ (one hidden layer)', () => {
  it('H_s + (1/n)Σ|ã_s|²φ\'(z)²·x̃x̃ᵀ is the exact Hessian block of unit s\'s incoming weights and bias', () => {
    // ∂²L/∂u∂v = (1/n)Σ_i [∂f/∂u·∂f/∂v + r_i·∂²f/∂u∂v] with ∂f/∂u = ã_s φ'(z_is) x̃_iu: the second term is H_s.
    fc.assert(
      fc.property(oneHidden, fc.constantFrom<Activation>('tanh', 'erf'), fc.nat(), (a, activation, s0) => {
        const { net, X, Y } = buildOne(a, activation);
        const s = s0 % a.m;
        const Hs = splitCurvature(net, X, Y, s);
        const H = hessian(net, X, Y);
        const P = paramCount(net);
        const d = a.dIn;
        const [inc, out] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
        const si = layerScales(net, d);
        const so = layerScales(net, a.m);
        const z = forwardTrace(net, X).pre[0]!.data;
        let aa = 0;
        for (let k = 0; k < a.dOut; k++) aa += (so.w * out.W[s * a.dOut + k]!) ** 2;
        const idx = (u: number) => (u < d ? u * a.m + s : d * a.m + s);
        for (let p = 0; p <= d; p++)
          for (let q = 0; q <= d; q++) {
            let gn = 0;
            for (let i = 0; i < a.n; i++) {
              const xp = p < d ? si.w * X.data[i * d + p]! : si.b;
              const xq = q < d ? si.w * X.data[i * d + q]! : si.b;
              gn += (aa * activateDeriv(activation, z[i * inc.nOut + s]!) ** 2 * xp * xq) / a.n;
            }
            const want = H[idx(p) * P + idx(q)]!;
            expect(Math.abs(Hs[p * (d + 1) + q]! + gn - want)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(want)));
          }
      }),
      { ...FC, numRuns: 8 },
    );
  });

  it('H_s vanishes for φ\'\' = 0 (ReLU, linear)', () => {
    fc.assert(
      fc.property(oneHidden, fc.constantFrom<Activation>('relu', 'linear'), (a, activation) => {
        const { net, X, Y } = buildOne(a, activation);
        expect(maxAbs(splitCurvature(net, X, Y, 0))).toBe(0);
      }),
      { ...FC, numRuns: 6 },
    );
  });

  it('split directions (hidden layer 1, any depth) are orthonormal, live on unit s and the copy only, and leave the output unchanged to first order', () => {
    fc.assert(
      fc.property(arch, fc.nat(), alphaArb, (a0, s0, alpha) => {
        const a = { ...a0, m: a0.hidden[0]! };
        const { net, X } = build(a);
        const s = s0 % a.m;
        const wide = splitNeuron(net, 1, s, alpha);
        const D = splitSubspace(net, s, alpha);
        expect(D.length).toBe(a.dIn + 1);
        const th = flattenParams(wide);
        D.forEach((di, p) => {
          expect(di.length).toBe(th.length);
          D.forEach((dj, q) => expect(di.reduce((acc, v, r) => acc + v * dj[r]!, 0)).toBeCloseTo(p === q ? 1 : 0, 14));
          // Nonzero exactly at coordinate p of unit s ((1−α)/‖·‖) and of the copy, unit m (−α/‖·‖).
          const at = (unit: number) => (p < a.dIn ? p * (a.m + 1) + unit : a.dIn * (a.m + 1) + unit);
          const nz = Array.from(di.keys()).filter((r) => di[r] !== 0);
          expect(nz).toEqual([at(s), at(a.m)].filter((r) => (r === at(s) ? alpha !== 1 : alpha !== 0)));
          const norm = Math.hypot(alpha, 1 - alpha);
          expect(di[at(s)]).toBeCloseTo((1 - alpha) / norm, 14);
          expect(di[at(a.m)]).toBeCloseTo(-alpha / norm, 14);
          if (a.activation === 'relu') return; // a kink may sit between θ ± h·d
          const h = 1e-6;
          const fp = forward(withParams(wide, th.map((v, r) => v + h * di[r]!)), X).data;
          const fm = forward(withParams(wide, th.map((v, r) => v - h * di[r]!)), X).data;
          // First order cancels: the central difference is O(h²) (third derivatives), not O(1)·‖∂f‖.
          expect(maxDiff(fp, fm) / (2 * h)).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs(forward(wide, X).data)));
        });
      }),
      { ...FC, numRuns: 8 },
    );
  });

  it('splitCurvature refuses a network without exactly one hidden layer', () => {
    const { net, X, Y } = build({ hidden: [2, 2], dIn: 1, dOut: 1, activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1, n: 2, seed: 6 });
    expect(thrown(() => splitCurvature(net, X, Y, 0)).message).toMatch(/splitCurvature.*exactly one hidden layer/);
    expect(thrown(() => condense(net, { cosine: 0.99, minAmplitude: 0 })).message).toMatch(/condense.*exactly one hidden layer/);
  });
});

/** A one-hidden-layer standard network from explicit weights (W1 d×m row-major, W2 m×q). */
function net1(activation: Activation, d: number, W1: number[], b1: number[], W2: number[], b2: number[]): Mlp {
  const m = b1.length;
  const q = b2.length;
  return {
    activation,
    parameterization: 'standard',
    sigmaW: 1,
    sigmaB: 1,
    layers: [
      { nIn: d, nOut: m, W: Float64Array.from(W1), b: Float64Array.from(b1) },
      { nIn: m, nOut: q, W: Float64Array.from(W2), b: Float64Array.from(b2) },
    ],
  };
}

describe('condense: network reduction, the inverse of splitting (BRIEF §4.3)', () => {
  const noMerge = { cosine: 2, minAmplitude: 0 }; // |cos| ≤ 1 < 2: nothing merges

  it('without merging it is a change to the standard parameterization: same function, units by decreasing amplitude', () => {
    fc.assert(
      fc.property(oneHidden, fc.constantFrom<Activation>(...ACTIVATIONS), (a, activation) => {
        const { net, X } = buildOne(a, activation);
        const { net: red, clusters } = condense(net, noMerge);
        expect(red).not.toBeNull();
        expect(red!.parameterization).toBe('standard');
        expect(red!.activation).toBe(activation);
        expect(clusters.map((c) => c.length)).toEqual(new Array(a.m).fill(1));
        expect(clusters.flat().sort()).toEqual(Array.from({ length: a.m }, (_, k) => k));
        const f0 = forward(net, X).data;
        expect(maxDiff(forward(red!, X).data, f0)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f0)));
        // Amplitude A_k = ‖ã_k‖·‖u_k‖ in the reduced (standard) network equals the original's, and decreases.
        const amp = (k: number) => {
          const [inc, out] = red!.layers as [Mlp['layers'][0], Mlp['layers'][0]];
          const u = [...Array.from({ length: a.dIn }, (_, i) => inc.W[i * inc.nOut + k]!), inc.b[k]!];
          return Math.hypot(...u) * Math.hypot(...Array.from(out.W.subarray(k * a.dOut, (k + 1) * a.dOut)));
        };
        for (let k = 1; k < clusters.length; k++) expect(amp(k)).toBeLessThanOrEqual(amp(k - 1));
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('condensing a split network recovers the narrow function with the original and its copy in one cluster', () => {
    fc.assert(
      fc.property(oneHidden, fc.constantFrom<Activation>(...ACTIVATIONS), fc.nat(), fc.double({ min: 0.1, max: 0.9, noNaN: true }), (a, activation, s0, alpha) => {
        const { net, X } = buildOne(a, activation);
        const s = s0 % a.m;
        const wide = nullNeuron(splitNeuron(net, 1, s, alpha), 1);
        const { net: red, clusters } = condense(wide, { cosine: 1 - 1e-12, minAmplitude: 0 });
        // The random units are pairwise non-parallel; the copy (unit m) joins s; the null unit (m+1) has no amplitude.
        expect(clusters.length).toBe(a.m);
        expect(clusters.find((c) => c.includes(s))!.sort()).toEqual([s, a.m]);
        expect(clusters.flat()).not.toContain(a.m + 1);
        const f0 = forward(net, X).data;
        expect(maxDiff(forward(red!, X).data, f0)).toBeLessThanOrEqual(1e-10 * Math.max(1, maxAbs(f0)));
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('clusters partition the kept units, each member within the cosine threshold of its representative', () => {
    fc.assert(
      fc.property(oneHidden, fc.constantFrom<Activation>(...ACTIVATIONS), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (a0, activation, cosine, minAmplitude) => {
        const { net } = buildOne({ ...a0, m: a0.m + 3 }, activation);
        const { net: red, clusters } = condense(net, { cosine, minAmplitude });
        const members = clusters.flat();
        expect(new Set(members).size).toBe(members.length); // disjoint
        expect(red!.layers[0]!.nOut).toBe(clusters.length);
        const [inc] = net.layers as [Mlp['layers'][0]];
        const si = layerScales(net, inc.nIn);
        const u = (k: number) => [...Array.from({ length: inc.nIn }, (_, i) => si.w * inc.W[i * inc.nOut + k]!), si.b * inc.b[k]!];
        for (const c of clusters) {
          // The representative is the cluster's first member; its incoming weights are the reduced unit's.
          const ur = u(c[0]!);
          for (const k of c.slice(1)) {
            const uk = u(k);
            const cos = ur.reduce((acc, x, i) => acc + x * uk[i]!, 0) / (Math.hypot(...ur) * Math.hypot(...uk));
            expect(activation === 'relu' ? cos : Math.abs(cos)).toBeGreaterThanOrEqual(cosine - 1e-15);
          }
        }
      }),
      { ...FC, numRuns: 15 },
    );
  });

  it('a unit close to two representatives joins only the first (largest amplitude) one', () => {
    // u_0 = (1, 0), u_1 at 50° (cos 0.64 < 0.9: a second cluster), u_2 at 25° (cos 0.906 to both); amplitudes 3 > 2 > 1.
    const c50 = Math.cos((50 * Math.PI) / 180);
    const s50 = Math.sin((50 * Math.PI) / 180);
    const c25 = Math.cos((25 * Math.PI) / 180);
    const s25 = Math.sin((25 * Math.PI) / 180);
    const net = net1('relu', 1, [1, c50, c25], [0, s50, s25], [3, 2, 1], [0]);
    expect(condense(net, { cosine: 0.9, minAmplitude: 0 }).clusters).toEqual([[0, 2], [1]]);
  });

  it('a positively scaled copy merges with weight a + 2a\' exactly (ReLU is 1-homogeneous)', () => {
    // Unit 1 has u = 2·u_0: a'·relu(2u·x) = 2a'·relu(u·x), so the merged unit has outgoing weight a + 2a'.
    const net = net1('relu', 1, [1.5, 3], [-0.5, -1], [2, 0.25], [0.1]);
    const { net: red, clusters } = condense(net, { cosine: 0.999, minAmplitude: 0 });
    expect(clusters).toEqual([[0, 1]]); // amplitudes 2·|u| = 2·1.58 and 0.25·3.16: unit 0 is the representative
    expect(red!.layers[1]!.W[0]).toBeCloseTo(2 + 2 * 0.25, 14);
    expect(Array.from(red!.layers[0]!.W)).toEqual([1.5]);
    expect(Array.from(red!.layers[1]!.b)).toEqual([0.1]);
  });

  it('an antiparallel unit merges sign-flipped for an odd activation (tanh), never for ReLU', () => {
    // tanh(−u·x)·a' = −a'·tanh(u·x): the merged weight is a − a'·‖u'‖/‖u‖ = 1 − 0.5 (here ‖u'‖ = ‖u‖).
    const odd = net1('tanh', 1, [0.6, -0.6], [0.8, -0.8], [1, 0.5], [0]);
    const r = condense(odd, { cosine: 0.999, minAmplitude: 0 });
    expect(r.clusters).toEqual([[0, 1]]);
    expect(r.net!.layers[1]!.W[0]).toBeCloseTo(0.5, 15);
    const X = mat(5, 1, Float64Array.from([-2, -0.5, 0, 0.7, 3]));
    expect(maxDiff(forward(r.net!, X).data, forward(odd, X).data)).toBeLessThanOrEqual(1e-14);
    const relu = condense({ ...odd, activation: 'relu' }, { cosine: 0.999, minAmplitude: 0 });
    expect(relu.clusters).toEqual([[0], [1]]);
    // A parallel pair merges for every activation, with positive sign.
    const par = condense(net1('erf', 1, [0.6, 0.6], [0.8, 0.8], [1, 0.5], [0]), { cosine: 0.999, minAmplitude: 0 });
    expect(par.clusters).toEqual([[0, 1]]);
    expect(par.net!.layers[1]!.W[0]).toBeCloseTo(1.5, 15);
  });

  it('the cosine and amplitude thresholds are inclusive (≥), and low-amplitude units are dropped', () => {
    // u_0 = (3, 4), ‖u_0‖ = 5, a_0 = 1 → A = 5; u_1 = (2, 1.5), ‖u_1‖ = 2.5, a_1 = 1 → A = 2.5;
    // cos = (6 + 6)/(5·2.5) = 0.96 exactly in float64 (every step is exact and 12/12.5 rounds like the literal).
    const net = net1('relu', 1, [3, 2], [4, 1.5], [1, 1], [0]);
    expect(condense(net, { cosine: 0.96, minAmplitude: 0 }).clusters).toEqual([[0, 1]]);
    expect(condense(net, { cosine: 0.9600001, minAmplitude: 0 }).clusters).toEqual([[0], [1]]);
    // The same for an antiparallel pair under an odd activation: u_1 = −(2, 1.5), cos = −0.96 exactly.
    const anti = net1('tanh', 1, [3, -2], [4, -1.5], [1, 1], [0]);
    expect(condense(anti, { cosine: 0.96, minAmplitude: 0 }).clusters).toEqual([[0, 1]]);
    expect(condense(anti, { cosine: 0.9600001, minAmplitude: 0 }).clusters).toEqual([[0], [1]]);
    expect(condense(net, { cosine: 0.99, minAmplitude: 0.5 }).clusters).toEqual([[0], [1]]);
    expect(condense(net, { cosine: 0.99, minAmplitude: 0.5000001 }).clusters).toEqual([[0]]);
    const dropped = condense(net, { cosine: 0.99, minAmplitude: 0.6 });
    expect(dropped.net!.layers[0]!.nOut).toBe(1);
    expect(Array.from(dropped.net!.layers[1]!.W)).toEqual([1]);
    // Zero-amplitude units are dropped even with minAmplitude 0; with none left there is no network.
    expect(condense(net1('relu', 1, [3, 2], [4, 1.5], [1, 0], [0]), noMerge).clusters).toEqual([[0]]);
    expect(condense(net1('relu', 1, [3, 2], [4, 1.5], [0, 0], [0.3]), noMerge)).toEqual({ net: null, clusters: [] });
  });
});

describe('split curvature and subspace at any depth; the rivals\' operators', () => {
  const deep = fc.record({ hidden: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), dIn: fc.integer({ min: 1, max: 2 }), dOut: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 0, max: 1e6 }), parameterization: fc.constantFrom<Parameterization>('standard', 'ntk') });
  const buildDeep = (a: typeof deep extends fc.Arbitrary<infer T> ? T : never, activation: Activation = 'tanh') => build({ ...a, activation, sigmaW: 1.3, sigmaB: 0.4 });

  it('one hidden layer: splitCurvatureAt and splitSubspaceAt equal splitCurvature and splitSubspace', () => {
    fc.assert(
      fc.property(oneHidden, fc.nat(), alphaArb, (a, s0, alpha) => {
        const { net, X, Y } = buildOne(a, 'tanh');
        const s = s0 % a.m;
        expect(maxDiff(splitCurvatureAt(net, X, Y, 1, s), splitCurvature(net, X, Y, s))).toBeLessThanOrEqual(1e-14 * Math.max(1, maxAbs(splitCurvature(net, X, Y, s))));
        const D1 = splitSubspaceAt(net, 1, s, alpha);
        const D0 = splitSubspace(net, s, alpha);
        D1.forEach((d, i) => expect(Array.from(d)).toEqual(Array.from(D0[i]!)));
      }),
      { ...FC, numRuns: 20 },
    );
  });

  it('any depth, any θ: the exact wide Hessian on the split directions is α(1−α)/(α²+(1−α)²)·H_s (R-operator oracle)', () => {
    fc.assert(
      fc.property(deep, fc.nat(), fc.nat(), alphaArb, (a, l0, s0, alpha) => {
        const { net, X, Y } = buildDeep(a);
        const layer = 1 + (l0 % a.hidden.length);
        const s = s0 % a.hidden[layer - 1]!;
        const wide = splitNeuron(net, layer, s, alpha);
        const D = splitSubspaceAt(net, layer, s, alpha);
        const k = D.length;
        const Hs = splitCurvatureAt(net, X, Y, layer, s);
        const factor = (alpha * (1 - alpha)) / (alpha * alpha + (1 - alpha) ** 2);
        const scale = Math.max(1e-12, maxAbs(Hs));
        for (let p = 0; p < k; p++) {
          const hv = hessianVector(wide, X, Y, D[p]!);
          // orthonormal directions
          for (let q = 0; q < k; q++) expect(D[p]!.reduce((t, v, i) => t + v * D[q]![i]!, 0)).toBeCloseTo(p === q ? 1 : 0, 14);
          for (let q = 0; q < k; q++) {
            const m = D[q]!.reduce((t, v, i) => t + v * hv[i]!, 0);
            expect(Math.abs(m - factor * Hs[p * k + q]!)).toBeLessThanOrEqual(1e-9 * scale + 1e-13);
          }
        }
      }),
      { ...FC, numRuns: 25 },
    );
  });

  it('deadEndUnit preserves the output; with zero incoming weights it is the null embedding; otherwise its outgoing gradient is Σ φ(z)·δ', () => {
    fc.assert(
      fc.property(deep, fc.nat(), (a, l0) => {
        const { net, X, Y } = buildDeep(a);
        const layer = 1 + (l0 % a.hidden.length);
        const nIn = net.layers[layer - 1]!.nIn;
        const rng = rngFromKey(`dead-end/${a.seed}`);
        const inc = rng.normals(nIn, 1);
        const bias = rng.normal();
        const wide = deadEndUnit(net, layer, inc, bias);
        expect(maxDiff(forward(wide, X).data, forward(net, X).data)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(forward(net, X).data)));
        expect(Array.from(flattenParams(deadEndUnit(net, layer, new Float64Array(nIn), 0)))).toEqual(Array.from(flattenParams(nullNeuron(net, layer))));
        // Oracle: ∂L/∂W_out[new, k] = s_w·Σ_i φ(z_i,new)·δ_ik, with δ from the reference backward pass of the wide net.
        const g = mseLossGrad(wide, X, Y).grads[layer]!;
        const tr = forwardTrace(wide, X);
        const h = tr.post[layer]!;
        const out = wide.layers[layer]!;
        const f = tr.pre.at(-1)!;
        const sw = layerScales(wide, out.nIn).w;
        if (layer === a.hidden.length) {
          const newUnit = out.nIn - 1;
          for (let k = 0; k < out.nOut; k++) {
            let want = 0;
            for (let i = 0; i < a.n; i++) want += (sw * h.data[i * out.nIn + newUnit]! * (f.data[i * out.nOut + k]! - Y.data[i * out.nOut + k]!)) / a.n;
            expect(g.W[newUnit * out.nOut + k]!).toBeCloseTo(want, 12);
          }
        }
        expect(() => deadEndUnit(net, layer, new Float64Array(nIn + 1), 0)).toThrow(/incoming weights/);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('uncompensatedStep is the embedding under the standard parameterization and scales the next layer by 1/√((n+1)/n) under NTK', () => {
    fc.assert(
      fc.property(deep, fc.nat(), fc.nat(), alphaArb, fc.boolean(), (a, l0, s0, alpha, isSplit) => {
        const { net } = buildDeep(a);
        const layer = 1 + (l0 % a.hidden.length);
        const step: EmbedStep = isSplit ? { kind: 'split', layer, neuron: s0 % a.hidden[layer - 1]!, alpha } : { kind: 'null', layer };
        const good = embedStep(net, step);
        const bad = uncompensatedStep(net, step);
        const c = net.parameterization === 'ntk' ? Math.sqrt((a.hidden[layer - 1]! + 1) / a.hidden[layer - 1]!) : 1;
        bad.layers.forEach((l, i) => {
          const want = i === layer ? good.layers[i]!.W.map((v) => v / c) : good.layers[i]!.W;
          expect(maxDiff(l.W, want)).toBeLessThanOrEqual(1e-15 * Math.max(1, maxAbs(want)));
          expect(Array.from(l.b)).toEqual(Array.from(good.layers[i]!.b));
        });
      }),
      { ...FC, numRuns: 30 },
    );
  });
});
