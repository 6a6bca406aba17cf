// Infinite-width NNGP and NTK kernels of a fully connected network in the NTK parameterization, following
// neural-tangents' stax conventions (brief §3.5; neural-tangents `stax/requirements.py _inputs_to_kernel`,
// `stax/linear.py Dense`, `stax/elementwise.py ABRelu/Erf`):
//   serial(Dense(σw, σb), [φ, Dense(σw, σb)] × L)  — L hidden Dense+activation blocks, then a final Dense.
// We track the cross matrix K(X1, X2), the diagonals q1 = K(x, x) on X1 and q2 on X2, and Θ(X1, X2).
// The diagonals are updated with the closed diagonal formulas, as neural-tangents does with
// `diagonal_batch=True`, so the diagonal of K and q can differ in the last bits (kept on purpose).
import type { Mat } from './mlp.ts';

export type AnalyticActivation = 'relu' | 'erf';
export const ANALYTIC_ACTIVATIONS: readonly AnalyticActivation[] = ['relu', 'erf'];

export interface AnalyticSpec {
  activation: AnalyticActivation;
  /** Number of hidden Dense+activation blocks (≥ 0; 0 is a linear model). */
  depth: number;
  sigmaW: number;
  sigmaB: number;
}

/** Kernel state for a pair of batches (n1 × n2 cross matrices, diagonals of each batch). */
export interface KernelState {
  nngp: Mat;
  ntk: Mat;
  q1: Float64Array;
  q2: Float64Array;
}

/** Inputs: K = X1·X2ᵀ / d_in, Θ = 0 (`_inputs_to_kernel`, `_cov` divides by the channel count). */
export function inputKernel(X1: Mat, X2: Mat = X1): KernelState {
  if (X1.cols !== X2.cols) throw new Error(`the two batches have ${X1.cols} and ${X2.cols} features`);
  const d = X1.cols;
  const nngp = new Float64Array(X1.rows * X2.rows);
  for (let i = 0; i < X1.rows; i++)
    for (let j = 0; j < X2.rows; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += X1.data[i * d + k]! * X2.data[j * d + k]!;
      nngp[i * X2.rows + j] = s / d;
    }
  const diag = (X: Mat) => {
    const q = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += X.data[i * d + k]! ** 2;
      q[i] = s / d;
    }
    return q;
  };
  return {
    nngp: { rows: X1.rows, cols: X2.rows, data: nngp },
    ntk: { rows: X1.rows, cols: X2.rows, data: new Float64Array(X1.rows * X2.rows) },
    q1: diag(X1),
    q2: diag(X2),
  };
}

/** Dense in the NTK parameterization: K ← σw²K + σb², Θ ← K_new + σw²Θ (`linear.py Dense`, `_affine`). */
export function denseKernel(k: KernelState, sigmaW: number, sigmaB: number): KernelState {
  const w2 = sigmaW * sigmaW;
  const b2 = sigmaB * sigmaB;
  const nngp = k.nngp.data.map((c) => w2 * c + b2);
  const ntk = k.ntk.data.map((t, i) => nngp[i]! + w2 * t);
  return {
    nngp: { ...k.nngp, data: nngp },
    ntk: { ...k.ntk, data: ntk },
    q1: k.q1.map((q) => w2 * q + b2),
    q2: k.q2.map((q) => w2 * q + b2),
  };
}

const sqrt0 = (x: number) => Math.sqrt(Math.max(x, 0));

/** atan2 with the value at (0, 0) set to `fillZero` (neural-tangents `_arctan2(fill_zero=π/2)`). */
function atan2Fill(y: number, x: number, fillZero: number): number {
  return y === 0 && x === 0 ? fillZero : Math.atan2(y, x);
}

/**
 * ReLU (ABRelu(0, 1)): with θ = atan2(√(qq′ − c²), c) (arc-cosine kernel of order 1, Cho & Saul 2009),
 * c ← (√(qq′ − c²) + (π − θ)c)/(2π), Θ ← Θ·(π − θ)/(2π), q ← q/2.
 */
export function reluKernel(k: KernelState): KernelState {
  const { rows, cols } = k.nngp;
  const nngp = new Float64Array(rows * cols);
  const ntk = new Float64Array(rows * cols);
  const f = 1 / (2 * Math.PI);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const p = i * cols + j;
      const c = k.nngp.data[p]!;
      const root = sqrt0(k.q1[i]! * k.q2[j]! - c * c);
      const angle = atan2Fill(root, c, Math.PI / 2);
      // General ABReLU with a=0, b=1: factor (a−b)²/(2π) = 1/(2π), dotσ = (a²+b²)/2 − factor·θ = ½ − θ/(2π).
      const dotSigma = 0.5 - f * angle;
      nngp[p] = f * root + dotSigma * c;
      ntk[p] = k.ntk.data[p]! * dotSigma;
    }
  return {
    nngp: { rows, cols, data: nngp },
    ntk: { rows, cols, data: ntk },
    q1: k.q1.map((q) => 0.5 * q),
    q2: k.q2.map((q) => 0.5 * q),
  };
}

/**
 * Erf (a=1, b=1, c=0) (Williams 1997): with D = (1+2q)(1+2q′),
 * c ← (2/π)·atan2(2c, √(D − 4c²)), Θ ← Θ·(4/π)/√(D − 4c²), q ← (2/π)·atan2(q, √(q + 1/4)).
 */
export function erfKernel(k: KernelState): KernelState {
  const { rows, cols } = k.nngp;
  const nngp = new Float64Array(rows * cols);
  const ntk = new Float64Array(rows * cols);
  const f = 2 / Math.PI;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const p = i * cols + j;
      const c = k.nngp.data[p]!;
      const prod = (1 + 2 * k.q1[i]!) * (1 + 2 * k.q2[j]!);
      const root = sqrt0(prod - 4 * c * c);
      nngp[p] = f * Math.atan2(2 * c, root);
      ntk[p] = k.ntk.data[p]! * ((2 * f) / root);
    }
  const diag = (q: number) => f * Math.atan2(q, Math.sqrt(q + 0.25));
  return { nngp: { rows, cols, data: nngp }, ntk: { rows, cols, data: ntk }, q1: k.q1.map(diag), q2: k.q2.map(diag) };
}

/** NNGP K(X1, X2) and NTK Θ(X1, X2) of the whole network (final Dense included). */
export function analyticKernels(spec: AnalyticSpec, X1: Mat, X2: Mat = X1): { nngp: Mat; ntk: Mat } {
  if (!Number.isInteger(spec.depth) || spec.depth < 0) throw new Error(`depth must be a non-negative integer, got ${spec.depth}`);
  const act = spec.activation === 'relu' ? reluKernel : erfKernel;
  let k = denseKernel(inputKernel(X1, X2), spec.sigmaW, spec.sigmaB);
  for (let l = 0; l < spec.depth; l++) k = denseKernel(act(k), spec.sigmaW, spec.sigmaB);
  return { nngp: k.nngp, ntk: k.ntk };
}
