// Transition to linearity and its counterexamples (Liu, Zhu, Belkin 2020, "On the linearity of large non-linear
// models", arXiv:2010.01092; brief §6.2). A wide two-layer net g has an output Hessian ||∂²g/∂θ²|| = Õ(m^(−1/2));
// the paper's two counterexamples keep the width but lose linearity:
//   a non-linear output layer f = φ(g):  ∂²f/∂θ² = φ'(g)·∂²g/∂θ² + φ''(g)·∇g∇gᵀ, and ||∇g||² = Θ(x,x) = O(1);
//   a bottleneck layer (width O(1) in the middle): the Hessian w.r.t. the bottleneck's activations is O(1).
// For deep nets the Hessian-vector product is a central difference of exact gradients (float64).
import { activate, activateDeriv, activateDeriv2, backward, flattenGrads, forwardTrace, mat, withParams, type Activation, type Mat, type Mlp } from './mlp.ts';
import { outputGrad, outputHvpOperator } from './overparam.ts';

/** The output non-linearity φ of the counterexample, with φ' and φ'' (an `mlp` activation). */
export interface OutputNonlinearity {
  phi: Activation;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** g(x) of a scalar-output net for one input row. */
export function scalarOutput(net: Mlp, x: Float64Array): number {
  const t = forwardTrace(net, mat(1, x.length, x));
  return t.pre[t.pre.length - 1]!.data[0]!;
}

/** ∇_θ φ(g(x)) = φ'(g)·∇g (flattenParams order). */
export function nonlinearOutputGrad(net: Mlp, x: Float64Array, out: OutputNonlinearity): Float64Array {
  const g = outputGrad(net, x);
  const d1 = activateDeriv(out.phi, scalarOutput(net, x));
  for (let q = 0; q < g.length; q++) g[q]! *= d1;
  return g;
}

/**
 * u ↦ ∂²φ(g(x))/∂θ²·u = φ'(g)·H_g·u + φ''(g)·(∇g·u)·∇g (chain rule twice; 2010.01092 §4, non-linear output).
 * H_g is the exact two-layer product of theory/overparam.ts.
 */
export function nonlinearOutputHvpOperator(net: Mlp, x: Float64Array, out: OutputNonlinearity): (u: Float64Array) => Float64Array {
  const hg = outputHvpOperator(net, x);
  const grad = outputGrad(net, x);
  const g = scalarOutput(net, x);
  const d1 = activateDeriv(out.phi, g);
  const d2 = activateDeriv2(out.phi, g);
  return (u) => {
    const h = hg(u);
    const c = d2 * dot(grad, u);
    for (let q = 0; q < h.length; q++) h[q] = d1 * h[q]! + c * grad[q]!;
    return h;
  };
}

/**
 * u ↦ H_f(x)·u ≈ (∇f(θ + εu) − ∇f(θ − εu))/(2ε) for any scalar-output `mlp` (exact gradients, float64). The
 * truncation error is O(ε²·||∂³f||·||u||³); at ε = 1e-4 it measured ≤ 1e-5 relative on small deep nets (tests), far
 * below what the spectral norm by power iteration needs.
 */
export function fdOutputHvpOperator(net: Mlp, x: Float64Array, theta: Float64Array, eps = 1e-4): (u: Float64Array) => Float64Array {
  return (u) => {
    const plus = theta.slice();
    const minus = theta.slice();
    for (let q = 0; q < u.length; q++) {
      plus[q]! += eps * u[q]!;
      minus[q]! -= eps * u[q]!;
    }
    const gp = outputGrad(withParams(net, plus), x);
    const gm = outputGrad(withParams(net, minus), x);
    for (let q = 0; q < gp.length; q++) gp[q] = (gp[q]! - gm[q]!) / (2 * eps);
    return gp;
  };
}

/** L = (1/2n)·Σ(φ(g(x_i)) − y_i)² and its flat gradient (1/n)·Σ r_i·φ'(g_i)·∇g_i. */
export function nonlinearOutputLossGrad(net: Mlp, X: Mat, y: Float64Array, out: OutputNonlinearity): { loss: number; grad: Float64Array } {
  const trace = forwardTrace(net, X);
  const g = trace.pre[trace.pre.length - 1]!.data;
  const n = X.rows;
  const dOut = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const r = activate(out.phi, g[i]!) - y[i]!;
    loss += r * r;
    dOut[i] = (r * activateDeriv(out.phi, g[i]!)) / n;
  }
  return { loss: loss / (2 * n), grad: flattenGrads(backward(net, trace, mat(n, 1, dOut)).grads) };
}
