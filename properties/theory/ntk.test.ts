// Exact properties of the empirical NTK (theory/ntk.ts): the per-layer Gram form against an explicit Jacobian
// product, on one input set and across two, plus gramAB against a naive product and the input guards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { empiricalNtk, gramAB, tangentFactors } from '../../theory/ntk.ts';
import {
  ACTIVATIONS,
  flattenGrads,
  forward,
  forwardTrace,
  initMlp,
  mat,
  matFromRows,
  mseLossGrad,
  type Activation,
  type Mat,
  type Mlp,
  type Parameterization,
} from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

// Built on demand, not at import: were ACTIVATIONS ever empty, the failure would then show as a failing test.
const arch = () =>
  fc.record({
    hidden: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    activation: fc.constantFrom<Activation>(...ACTIVATIONS),
    parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
    seed: fc.integer({ min: 0, max: 1e6 }),
    n1: fc.integer({ min: 1, max: 4 }),
    n2: fc.integer({ min: 1, max: 3 }),
  });

/** A scalar-output network (input width = hidden[0]) and two input sets of n1 and n2 rows. */
function build(a: { hidden: number[]; activation: Activation; parameterization: Parameterization; seed: number; n1: number; n2: number }) {
  const rng = rngFromKey(`ntk-test/${a.seed}`);
  const widths = [...a.hidden, 1];
  const net = initMlp(widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.4 }, rng);
  const d = widths[0]!;
  return { net, X1: mat(a.n1, d, rng.normals(a.n1 * d)), X2: mat(a.n2, d, rng.normals(a.n2 * d)) };
}

/** ∂f(x_i)/∂θ for every row, from loss-grad with y = f − 1 on one point: L = ½(f − y)² ⇒ ∇L = ∇f. */
function jacobianRows(net: Mlp, X: Mat): Float64Array[] {
  return Array.from({ length: X.rows }, (_, i) => {
    const xi = mat(1, X.cols, X.data.slice(i * X.cols, (i + 1) * X.cols));
    const fi = forward(net, xi).data[0]!;
    return flattenGrads(mseLossGrad(net, xi, mat(1, 1, new Float64Array([fi - 1]))).grads);
  });
}

function expectKernelIsJJt(K: Mat, J1: Float64Array[], J2: Float64Array[]) {
  expect([K.rows, K.cols]).toEqual([J1.length, J2.length]);
  for (let i = 0; i < J1.length; i++)
    for (let j = 0; j < J2.length; j++) {
      const dot = J1[i]!.reduce((s, v, q) => s + v * J2[j]![q]!, 0);
      expect(Math.abs(K.data[i * J2.length + j]! - dot)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(dot)));
    }
}

describe('empirical NTK', () => {
  it('empirical NTK equals Σ_θ ∂f(x)/∂θ·∂f(x′)/∂θ from explicit per-sample gradients', () => {
    fc.assert(
      fc.property(arch(), (a) => {
        const { net, X1 } = build(a);
        const J = jacobianRows(net, X1);
        expectKernelIsJJt(empiricalNtk(net, X1), J, J);
      }),
      FC,
    );
  });

  it('the cross kernel Θ(X1, X2) equals J(X1)·J(X2)ᵀ and is the transpose of Θ(X2, X1)', () => {
    fc.assert(
      fc.property(arch(), (a) => {
        const { net, X1, X2 } = build(a);
        const K12 = empiricalNtk(net, X1, X2);
        expectKernelIsJJt(K12, jacobianRows(net, X1), jacobianRows(net, X2));
        const K21 = empiricalNtk(net, X2, X1);
        for (let i = 0; i < X1.rows; i++) for (let j = 0; j < X2.rows; j++) expect(K21.data[j * X1.rows + i]).toBe(K12.data[i * X2.rows + j]);
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('tangentFactors: activations are the forward trace, the last signal is ∂f/∂f = 1 per row; vector outputs are refused', () => {
    const net = initMlp([3, 4, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1 }, rngFromKey('tf'));
    const X = mat(2, 3, rngFromKey('tf-x').normals(6));
    const { acts, deltas } = tangentFactors(net, X);
    const trace = forwardTrace(net, X);
    expect(acts.length).toBe(2);
    acts.forEach((m, l) => expect(Array.from(m.data)).toEqual(Array.from(trace.post[l]!.data)));
    expect(Array.from(deltas[1]!.data)).toEqual([1, 1]);
    const wide = initMlp([3, 2], { activation: 'relu', parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, rngFromKey('tf2'));
    expect(() => tangentFactors(wide, X)).toThrow('needs a scalar output, the network has 2');
    expect(() => empiricalNtk(wide, X)).toThrow('scalar output');
  });
});

describe('gramAB', () => {
  it('equals the naive A·Bᵀ and rejects operands with different column counts', () => {
    // A = [[1, 2], [3, 4], [5, 6]], B = [[1, 0], [2, −1]]: A·Bᵀ = [[1, 0], [3, 2], [5, 4]] (by hand).
    const A = matFromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const B = matFromRows([
      [1, 0],
      [2, -1],
    ]);
    const G = gramAB(A, B);
    expect([G.rows, G.cols]).toEqual([3, 2]);
    expect(Array.from(G.data)).toEqual([1, 0, 3, 2, 5, 4]);
    expect(() => gramAB(A, matFromRows([[1, 2, 3]]))).toThrow('gram: 2 ≠ 3 columns');
  });
});
