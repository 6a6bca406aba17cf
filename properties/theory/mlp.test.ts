// Exact properties of the float64 reference MLP (theory/mlp.ts): gradients against central finite differences,
// a forward and backward pass worked out by hand, closed forms of the activations and their derivatives, the
// two parameterizations computing the same function family, and the flat-parameter and init bookkeeping.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import {
  ACTIVATIONS,
  PARAMETERIZATIONS,
  activate,
  activateDeriv,
  activateDeriv2,
  affine,
  backward,
  backwardDeltas,
  backwardInto,
  cloneMlp,
  flattenGrads,
  flattenParams,
  forward,
  forwardInto,
  forwardTrace,
  initMlp,
  inputDim,
  layerScales,
  makeWorkspace,
  mat,
  matFromRows,
  matToRows,
  mseLossGrad,
  outputDim,
  paramCount,
  withParams,
  type Activation,
  type Mat,
  type Mlp,
  type Parameterization,
} from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

// Built on demand, not at import: were ACTIVATIONS ever empty, the failure would then show as a failing test.
const arch = () =>
  fc.record({
    widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
    activation: fc.constantFrom<Activation>(...ACTIVATIONS),
    parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
    seed: fc.integer({ min: 0, max: 1e6 }),
    n: fc.integer({ min: 1, max: 4 }),
  });

function build(a: { widths: number[]; activation: Activation; parameterization: Parameterization; seed: number; n: number }) {
  const rng = rngFromKey(`mlp-test/${a.seed}`);
  const net = initMlp(a.widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.4 }, rng);
  const X = mat(a.n, a.widths[0]!, rng.normals(a.n * a.widths[0]!));
  const Y = mat(a.n, a.widths.at(-1)!, rng.normals(a.n * a.widths.at(-1)!));
  return { net, X, Y };
}

function loss(net: Mlp, X: Mat, Y: Mat): number {
  return mseLossGrad(net, X, Y).loss;
}

/** Naive s_w·h·W + s_b·b, written independently of affine's zero-skipping loop. */
function naiveAffine(h: number[][], W: number[][], b: number[], sw: number, sb: number): number[][] {
  return h.map((row) => b.map((bj, j) => sw * row.reduce((s, hk, k) => s + hk * W[k]![j]!, 0) + sb * bj));
}

/**
 * A 2→2→1 ReLU network small enough to run by hand. Layer 1: W = [[1, −1], [2, 0.5]], b = [0.5, −1];
 * layer 2: W = [[2], [3]], b = [−20]. sigmaW = 2, sigmaB = 0.5 (used only by the ntk parameterization).
 */
function handNet(parameterization: Parameterization, activation: Activation = 'relu'): Mlp {
  return {
    activation,
    parameterization,
    sigmaW: 2,
    sigmaB: 0.5,
    layers: [
      { nIn: 2, nOut: 2, W: new Float64Array([1, -1, 2, 0.5]), b: new Float64Array([0.5, -1]) },
      { nIn: 2, nOut: 1, W: new Float64Array([2, 3]), b: new Float64Array([-20]) },
    ],
  };
}

const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-12) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w), `entry ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol * (1 + Math.abs(w))));
};

describe('matrices', () => {
  it('mat allocates rows×cols zeros, keeps given data by reference, and rejects data of the wrong length', () => {
    const z = mat(2, 3);
    expect(z.rows).toBe(2);
    expect(z.cols).toBe(3);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const d = new Float64Array([1, 2, 3, 4]);
    expect(mat(2, 2, d).data).toBe(d);
    expect(() => mat(2, 3, d)).toThrow('matrix data has 4 entries, expected 2×3');
  });

  it('matFromRows lays rows out row-major and matToRows inverts it; no rows gives 0×0', () => {
    const m = matFromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect([m.rows, m.cols]).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matToRows(m)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const e = matFromRows([]);
    expect([e.rows, e.cols, e.data.length]).toEqual([0, 0, 0]);
    expect(matToRows(e)).toEqual([]);
  });
});

describe('activations', () => {
  it('lists the four activations and two parameterizations', () => {
    expect([...ACTIVATIONS].sort()).toEqual(['erf', 'linear', 'relu', 'tanh']);
    expect([...PARAMETERIZATIONS].sort()).toEqual(['ntk', 'standard']);
  });

  it('φ matches its closed form: ReLU = max(z, 0), tanh, erf (tabulated values), identity', () => {
    expect(activate('relu', 2.5)).toBe(2.5);
    expect(activate('relu', -2.5)).toBe(0);
    expect(activate('relu', 0)).toBe(0);
    expect(activate('tanh', 0.7)).toBe(Math.tanh(0.7));
    // erf(1) = 0.8427007929497149, erf(0.5) = 0.5204998778130465 (Python math.erf; erf is odd).
    expect(Math.abs(activate('erf', 1) - 0.8427007929497149)).toBeLessThan(1e-14);
    expect(Math.abs(activate('erf', -0.5) + 0.5204998778130465)).toBeLessThan(1e-14);
    expect(activate('linear', -3.25)).toBe(-3.25);
  });

  it("φ' equals the central difference of φ and φ'' that of φ' (away from the ReLU kink)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Activation>(...ACTIVATIONS),
        fc.double({ min: -3, max: 3, noNaN: true }).filter((z) => Math.abs(z) > 1e-3),
        (a, z) => {
          const h = 1e-5;
          const d1 = (activate(a, z + h) - activate(a, z - h)) / (2 * h);
          const d2 = (activateDeriv(a, z + h) - activateDeriv(a, z - h)) / (2 * h);
          expect(Math.abs(activateDeriv(a, z) - d1)).toBeLessThan(1e-8);
          expect(Math.abs(activateDeriv2(a, z) - d2)).toBeLessThan(1e-8);
        },
      ),
      FC,
    );
  });

  it("derivatives at known points: ReLU'(0) = 0 (the framework subgradient), erf'(0) = 2/√π, tanh''(0) = 0, linear'' = 0", () => {
    expect(activateDeriv('relu', 0)).toBe(0);
    expect(activateDeriv('relu', 1e-300)).toBe(1);
    expect(activateDeriv('relu', -1)).toBe(0);
    expect(activateDeriv('linear', 7)).toBe(1);
    expect(Math.abs(activateDeriv('erf', 0) - 1.1283791670955126)).toBeLessThan(1e-15);
    expect(Math.abs(activateDeriv('tanh', 0) - 1)).toBeLessThan(1e-15);
    expect(activateDeriv2('relu', 1)).toBe(0);
    expect(activateDeriv2('linear', 1)).toBe(0);
    // tanh''(z) = −2 tanh z (1 − tanh² z); erf''(z) = −(4/√π) z e^{−z²}: at z = 1 (Python math), −0.6397000084492246
    // and −0.8302149948411894.
    expect(Math.abs(activateDeriv2('tanh', 1) + 0.6397000084492246)).toBeLessThan(1e-14);
    expect(Math.abs(activateDeriv2('erf', 1) + 0.8302149948411894)).toBeLessThan(1e-14);
  });
});

describe('layer bookkeeping', () => {
  it('layerScales: ntk multiplies W by σ_w/√n_in and b by σ_b; standard by 1 and 1', () => {
    expect(layerScales({ parameterization: 'ntk', sigmaW: 3, sigmaB: 0.25 }, 4)).toEqual({ w: 1.5, b: 0.25 });
    expect(layerScales({ parameterization: 'standard', sigmaW: 3, sigmaB: 0.25 }, 4)).toEqual({ w: 1, b: 1 });
  });

  it('inputDim, outputDim and paramCount of a 3→4→2 network', () => {
    const net = initMlp([3, 4, 2], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, rngFromKey('dims'));
    expect(inputDim(net)).toBe(3);
    expect(outputDim(net)).toBe(2);
    expect(paramCount(net)).toBe(3 * 4 + 4 + 4 * 2 + 2);
  });

  it('affine equals the naive s_w·h·W + s_b·b, also with zero entries in h, and rejects a wrong input width', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1e6 }),
        (n, nIn, nOut, seed) => {
          const rng = rngFromKey(`affine/${seed}`);
          // Half the inputs are exactly 0, the case affine skips.
          const h = Array.from({ length: n }, () => Array.from({ length: nIn }, () => (rng.uniform() < 0.5 ? 0 : rng.normal())));
          const W = Array.from({ length: nIn }, () => Array.from({ length: nOut }, () => rng.normal()));
          const b = Array.from({ length: nOut }, () => rng.normal());
          const sw = rng.range(0.5, 2);
          const sb = rng.range(0.5, 2);
          const layer = { nIn, nOut, W: matFromRows(W).data, b: Float64Array.from(b) };
          const z = affine(matFromRows(h), layer, sw, sb);
          expect([z.rows, z.cols]).toEqual([n, nOut]);
          close(z.data, naiveAffine(h, W, b, sw, sb).flat());
        },
      ),
      { ...FC, numRuns: 50 },
    );
    const layer = { nIn: 3, nOut: 1, W: new Float64Array(3), b: new Float64Array(1) };
    expect(() => affine(mat(1, 2), layer, 1, 1)).toThrow('layer expects 3 inputs, got 2');
  });
});

describe('forward pass', () => {
  it('hand-computed 2→2→1 ReLU network, standard: f([1, 2]) = −9, the negative output is not rectified', () => {
    // z¹ = [1·1 + 2·2 + 0.5, 1·(−1) + 2·0.5 − 1] = [5.5, −1], h¹ = [5.5, 0], f = 2·5.5 + 3·0 − 20 = −9.
    // Second row x = [0, −1]: z¹ = [−2 + 0.5, −0.5 − 1] = [−1.5, −1.5], h¹ = 0, f = −20.
    const X = matFromRows([
      [1, 2],
      [0, -1],
    ]);
    const t = forwardTrace(handNet('standard'), X);
    expect(t.pre.length).toBe(2);
    expect(t.post.length).toBe(2);
    expect(t.post[0]).toBe(X);
    close(t.pre[0]!.data, [5.5, -1, -1.5, -1.5]);
    close(t.post[1]!.data, [5.5, 0, 0, 0]);
    close(forward(handNet('standard'), X).data, [-9, -20]);
  });

  it('hand-computed 2→2→1 ReLU network, ntk (σ_w = 2, σ_b = 0.5): f([1, 2]) = 10 + √2/2', () => {
    // Layer 1: s_w = 2/√2 = √2, z¹ = √2·[5, 0] + 0.5·[0.5, −1] = [5√2 + 0.25, −0.5], h¹ = [5√2 + 0.25, 0].
    // Layer 2: s_w = √2, f = √2·2·(5√2 + 0.25) + 0.5·(−20) = 20 + 0.5√2 − 10.
    const X = matFromRows([[1, 2]]);
    const t = forwardTrace(handNet('ntk'), X);
    close(t.pre[0]!.data, [5 * Math.SQRT2 + 0.25, -0.5]);
    close(forward(handNet('ntk'), X).data, [10 + 0.5 * Math.SQRT2]);
  });

  it('every hidden post-activation is φ of its pre-activation; the output layer is linear', () => {
    fc.assert(
      fc.property(arch(), (a) => {
        const { net, X } = build(a);
        const t = forwardTrace(net, X);
        const L = net.layers.length;
        expect(t.pre.length).toBe(L);
        expect(t.post.length).toBe(L);
        for (let l = 1; l < L; l++) t.post[l]!.data.forEach((v, i) => expect(v).toBe(activate(net.activation, t.pre[l - 1]!.data[i]!)));
        const s = layerScales(net, net.layers[L - 1]!.nIn);
        const last = affine(t.post[L - 1]!, net.layers[L - 1]!, s.w, s.b);
        expect(Array.from(forward(net, X).data)).toEqual(Array.from(last.data));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('standard and NTK parameterizations give the same function when weights are rescaled', () => {
    fc.assert(
      fc.property(arch(), (a) => {
        const { net, X } = build({ ...a, parameterization: 'ntk' });
        const std: Mlp = {
          ...net,
          parameterization: 'standard',
          layers: net.layers.map((l) => ({
            ...l,
            W: l.W.map((w) => (w * net.sigmaW) / Math.sqrt(l.nIn)),
            b: l.b.map((b) => b * net.sigmaB),
          })),
        };
        const f1 = forward(net, X).data;
        const f2 = forward(std, X).data;
        f1.forEach((v, i) => expect(Math.abs(v - f2[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
      }),
      { ...FC, numRuns: 50 },
    );
  });
});

describe('backward pass and loss', () => {
  it('hand-computed backward of f through the 2→2→1 ReLU network (standard and ntk)', () => {
    const X = matFromRows([[1, 2]]);
    const dOut = mat(1, 1, new Float64Array([1]));
    // standard: δ² = 1, ∂f/∂W² = h¹ = [5.5, 0], ∂f/∂b² = 1; δ¹ = [2, 3] ⊙ ReLU'([5.5, −1]) = [2, 0],
    // ∂f/∂W¹ = xᵀδ¹ = [[2, 0], [4, 0]], ∂f/∂b¹ = [2, 0].
    const std = handNet('standard');
    const gs = backward(std, forwardTrace(std, X), dOut);
    close(gs.deltas[1]!.data, [1]);
    close(gs.deltas[0]!.data, [2, 0]);
    close(gs.grads[1]!.W, [5.5, 0]);
    close(gs.grads[1]!.b, [1]);
    close(gs.grads[0]!.W, [2, 0, 4, 0]);
    close(gs.grads[0]!.b, [2, 0]);
    // ntk: s_w = √2 in both layers, s_b = 0.5. ∂f/∂W² = √2·h¹ = [10 + 0.25√2, 0], ∂f/∂b² = 0.5;
    // δ¹ = √2·[2, 3] ⊙ [1, 0] = [2√2, 0], ∂f/∂W¹ = √2·xᵀδ¹ = [[4, 0], [8, 0]], ∂f/∂b¹ = 0.5·δ¹ = [√2, 0].
    const ntk = handNet('ntk');
    const gn = backward(ntk, forwardTrace(ntk, X), dOut);
    close(gn.deltas[0]!.data, [2 * Math.SQRT2, 0]);
    close(gn.grads[1]!.W, [10 + 0.25 * Math.SQRT2, 0]);
    close(gn.grads[1]!.b, [0.5]);
    close(gn.grads[0]!.W, [4, 0, 8, 0]);
    close(gn.grads[0]!.b, [Math.SQRT2, 0]);
  });

  it('backward with dOut = e_j gives ∂(Σ_i f_j(x_i))/∂θ, equal to central differences of the summed output', () => {
    fc.assert(
      fc.property(arch(), fc.nat(), (a, jRaw) => {
        const { net, X } = build({ ...a, activation: a.activation === 'relu' ? 'tanh' : a.activation });
        const nOut = outputDim(net);
        const j = jRaw % nOut;
        const dOut = mat(X.rows, nOut);
        for (let i = 0; i < X.rows; i++) dOut.data[i * nOut + j] = 1;
        const { grads, deltas } = backward(net, forwardTrace(net, X), dOut);
        expect(deltas.length).toBe(net.layers.length);
        expect(deltas[net.layers.length - 1]).toBe(dOut);
        // ∂f/∂b^l = s_b·Σ_i δ^l_i: the bias gradient is the scaled column sum of the recorded signal.
        net.layers.forEach((layer, l) => {
          const sb = layerScales(net, layer.nIn).b;
          const d = deltas[l]!;
          const colSum = Array.from({ length: d.cols }, (_, c) => Array.from({ length: d.rows }, (_, i) => d.data[i * d.cols + c]!).reduce((s, v) => s + v, 0));
          close(grads[l]!.b, colSum.map((v) => sb * v), 1e-12);
        });
        const g = flattenGrads(grads);
        const th = flattenParams(net);
        const summed = (theta: Float64Array) => {
          const f = forward(withParams(net, theta), X);
          let s = 0;
          for (let i = 0; i < f.rows; i++) s += f.data[i * nOut + j]!;
          return s;
        };
        const h = 1e-6;
        for (let q = 0; q < th.length; q++) {
          const p = th.slice();
          p[q]! += h;
          const m = th.slice();
          m[q]! -= h;
          const fd = (summed(p) - summed(m)) / (2 * h);
          expect(Math.abs(fd - g[q]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(fd)));
        }
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('gradient equals central finite differences', () => {
    fc.assert(
      fc.property(arch(), (a) => {
        const { net, X, Y } = build(a);
        const g = flattenGrads(mseLossGrad(net, X, Y).grads);
        const th = flattenParams(net);
        const h = 1e-6;
        for (let i = 0; i < th.length; i++) {
          const p = th.slice();
          p[i]! += h;
          const m = th.slice();
          m[i]! -= h;
          const fd = (loss(withParams(net, p), X, Y) - loss(withParams(net, m), X, Y)) / (2 * h);
          // ReLU kinks can sit inside the difference interval; the tolerance allows the usual O(h²) error only.
          expect(Math.abs(fd - g[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd)) + (a.activation === 'relu' ? 1e-3 : 0));
        }
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('MSE loss is (1/2n)·Σ‖f(x_i) − y_i‖² (hand net: residuals −10 and −21 over n = 2), and y of the wrong shape throws', () => {
    const X = matFromRows([
      [1, 2],
      [0, -1],
    ]);
    // f = [−9, −20], y = [1, 1]: L = (100 + 441)/(2·2) = 135.25.
    expect(mseLossGrad(handNet('standard'), X, matFromRows([[1], [1]])).loss).toBe(135.25);
    expect(() => mseLossGrad(handNet('standard'), X, matFromRows([[1, 1]]))).toThrow('y has shape 1×2, the network outputs 2×1');
    expect(() => mseLossGrad(handNet('standard'), X, matFromRows([[1], [1], [1]]))).toThrow('y has shape 3×1');
    expect(() => mseLossGrad(handNet('standard'), X, matFromRows([[1, 2], [1, 2]]))).toThrow('y has shape 2×2');
  });
});

describe('flat parameters, copies and initialization', () => {
  it('flattenParams orders W then b layer by layer; withParams inverts it without aliasing θ', () => {
    const net = handNet('standard');
    const theta = flattenParams(net);
    expect(Array.from(theta)).toEqual([1, -1, 2, 0.5, 0.5, -1, 2, 3, -20]);
    const flatG = flattenGrads(net.layers.map((l) => ({ W: l.W, b: l.b })));
    expect(Array.from(flatG)).toEqual(Array.from(theta));
    const shifted = theta.map((v) => v + 1);
    const net2 = withParams(net, shifted);
    expect(net2.activation).toBe('relu');
    expect(net2.sigmaW).toBe(2);
    expect(net2.layers.map((l) => [l.nIn, l.nOut])).toEqual([
      [2, 2],
      [2, 1],
    ]);
    expect(Array.from(net2.layers[0]!.W)).toEqual([2, 0, 3, 1.5]);
    expect(Array.from(net2.layers[0]!.b)).toEqual([1.5, 0]);
    expect(Array.from(net2.layers[1]!.W)).toEqual([3, 4]);
    expect(Array.from(net2.layers[1]!.b)).toEqual([-19]);
    shifted[0] = 99;
    expect(net2.layers[0]!.W[0]).toBe(2);
    expect(() => withParams(net, new Float64Array(8))).toThrow('θ has 8 entries, the network 9');
  });

  it('cloneMlp is a deep copy: same values, no shared arrays', () => {
    const net = handNet('ntk', 'tanh');
    const c = cloneMlp(net);
    expect(c.activation).toBe('tanh');
    expect(c.parameterization).toBe('ntk');
    expect(Array.from(flattenParams(c))).toEqual(Array.from(flattenParams(net)));
    expect(c.layers.map((l) => [l.nIn, l.nOut])).toEqual([
      [2, 2],
      [2, 1],
    ]);
    c.layers[0]!.W[0] = 42;
    c.layers[1]!.b[0] = 42;
    expect(net.layers[0]!.W[0]).toBe(1);
    expect(net.layers[1]!.b[0]).toBe(-20);
  });

  it('initMlp draws W then b per layer, scaled by σ_w/√n_in and σ_b (standard) or 1 (ntk), and needs ≥ 2 widths', () => {
    // A counting source makes every drawn value known: the k-th draw is k.
    const counter = () => {
      let k = 0;
      return { normal: () => ++k };
    };
    const opts = { activation: 'erf' as const, sigmaW: 3, sigmaB: 0.5 };
    const std = initMlp([4, 2, 1], { ...opts, parameterization: 'standard' }, counter());
    expect(std).toMatchObject({ activation: 'erf', parameterization: 'standard', sigmaW: 3, sigmaB: 0.5 });
    expect(std.layers.map((l) => [l.nIn, l.nOut])).toEqual([
      [4, 2],
      [2, 1],
    ]);
    // Layer 1: W = (3/√4)·[1..8], b = 0.5·[9, 10]; layer 2: W = (3/√2)·[11, 12], b = 0.5·13.
    close(std.layers[0]!.W, [1, 2, 3, 4, 5, 6, 7, 8].map((k) => 1.5 * k));
    close(std.layers[0]!.b, [4.5, 5]);
    close(std.layers[1]!.W, [11, 12].map((k) => (3 / Math.SQRT2) * k));
    close(std.layers[1]!.b, [6.5]);
    const ntk = initMlp([4, 2, 1], { ...opts, parameterization: 'ntk' }, counter());
    expect(Array.from(flattenParams(ntk))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(() => initMlp([3], { ...opts, parameterization: 'ntk' }, counter())).toThrow('at least an input and an output width');
    expect(initMlp([3, 1], { ...opts, parameterization: 'ntk' }, counter()).layers.length).toBe(1);
  });
});

// The blocked, workspace-based kernels (forwardInto/backwardInto, and forwardTrace/backward built on them) must give
// the same bits as the plain definitions: z_ij = s_w·Σ_k h_ik·W_kj (k in order, zero h skipped) + s_b·b_j;
// gW_kj = s_w·Σ_i h_ik·δ_ij (i in order); δ^{l}_ik = s_w·(Σ_j δ_ij·W_kj)·φ'(z_ik). Widths up to 9 and batches up to 9
// cover the 4-wide blocks and their remainders; ReLU and sparse inputs exercise the zero-skipping fallback.
describe('workspace kernels are bit-identical to the plain loops', () => {
  function plainForward(net: Mlp, X: Mat): { pre: Float64Array[]; post: Float64Array[] } {
    const pre: Float64Array[] = [];
    const post: Float64Array[] = [X.data];
    let h = X.data;
    net.layers.forEach((layer, l) => {
      const s = layerScales(net, layer.nIn);
      const z = new Float64Array(X.rows * layer.nOut);
      for (let i = 0; i < X.rows; i++) {
        for (let k = 0; k < layer.nIn; k++) {
          const hik = h[i * layer.nIn + k]!;
          if (hik === 0) continue;
          for (let j = 0; j < layer.nOut; j++) z[i * layer.nOut + j]! += hik * layer.W[k * layer.nOut + j]!;
        }
        for (let j = 0; j < layer.nOut; j++) z[i * layer.nOut + j] = s.w * z[i * layer.nOut + j]! + s.b * layer.b[j]!;
      }
      pre.push(z);
      if (l < net.layers.length - 1) {
        h = z.map((v) => activate(net.activation, v));
        post.push(h);
      }
    });
    return { pre, post };
  }

  function plainBackward(net: Mlp, tr: { pre: Float64Array[]; post: Float64Array[] }, rows: number, dOut: Float64Array): Float64Array[] {
    const out: Float64Array[] = [];
    let delta = dOut;
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const { nIn, nOut, W } = net.layers[l]!;
      const s = layerScales(net, nIn);
      const gW = new Float64Array(nIn * nOut);
      const gb = new Float64Array(nOut);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < nOut; j++) gb[j]! += delta[i * nOut + j]!;
        for (let k = 0; k < nIn; k++) {
          const hik = tr.post[l]![i * nIn + k]!;
          if (hik === 0) continue;
          for (let j = 0; j < nOut; j++) gW[k * nOut + j]! += hik * delta[i * nOut + j]!;
        }
      }
      out.unshift(gW.map((v) => v * s.w), gb.map((v) => v * s.b));
      if (l > 0) {
        const next = new Float64Array(rows * nIn);
        for (let i = 0; i < rows; i++) {
          for (let k = 0; k < nIn; k++) {
            let acc = 0;
            for (let j = 0; j < nOut; j++) acc += delta[i * nOut + j]! * W[k * nOut + j]!;
            next[i * nIn + k] = s.w * acc * activateDeriv(net.activation, tr.pre[l - 1]![i * nIn + k]!);
          }
        }
        delta = next;
      }
    }
    return out;
  }

  it('forwardTrace, backward and a reused workspace match the plain loops exactly', () => {
    fc.assert(
      fc.property(
        fc.record({
          widths: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 }),
          activation: fc.constantFrom<Activation>(...ACTIVATIONS),
          parameterization: fc.constantFrom<Parameterization>(...PARAMETERIZATIONS),
          seed: fc.integer({ min: 0, max: 1e6 }),
          n: fc.integer({ min: 1, max: 9 }),
          sparse: fc.boolean(),
        }),
        (a) => {
          const { net, X, Y } = build(a);
          if (a.sparse) X.data.forEach((v, q) => (X.data[q] = v > 0.3 ? 0 : v)); // many exact zeros in the input
          const want = plainForward(net, X);
          const got = forwardTrace(net, X);
          got.pre.forEach((z, l) => expect(Array.from(z.data)).toEqual(Array.from(want.pre[l]!)));
          got.post.forEach((h, l) => expect(Array.from(h.data)).toEqual(Array.from(want.post[l]!)));
          const dOut = Y.data.map((v, q) => v - want.pre.at(-1)![q]!);
          const wantG = plainBackward(net, want, X.rows, dOut);
          const flat = (gs: { W: Float64Array; b: Float64Array }[]) => gs.flatMap((g) => [Array.from(g.W), Array.from(g.b)]);
          const full = backward(net, got, mat(X.rows, Y.cols, dOut));
          expect(flat(full.grads)).toEqual(wantG.map((g) => Array.from(g)));
          expect(backwardDeltas(net, got, mat(X.rows, Y.cols, dOut)).map((d) => Array.from(d.data))).toEqual(full.deltas.map((d) => Array.from(d.data)));
          // The same workspace twice: stale contents must not leak into the second pass.
          const ws = makeWorkspace(net, X.rows);
          for (let r = 0; r < 2; r++) {
            const tr = forwardInto(net, X, ws);
            expect(Array.from(tr.pre.at(-1)!.data)).toEqual(Array.from(want.pre.at(-1)!));
            expect(flat(backwardInto(net, tr, mat(X.rows, Y.cols, dOut), ws).grads)).toEqual(wantG.map((g) => Array.from(g)));
          }
        },
      ),
      FC,
    );
  });
});
