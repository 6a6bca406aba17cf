// Closed-form training of the linearized model f_lin(x) = f_0(x) + ∇θ f_0(x)·ω under MSE (scalar output), in float64.
//
// Loss L = (1/(2N_y))·‖f(X) − Y‖², N_y = number of output entries (neural-tangents `predict.gradient_descent_mse`
// normalizes by `y_train.size`; DESIGN.md `loss-grad` uses the same 1/(2n)). With Θ = Θ̂_0(X, X), Θ_x = Θ̂_0(x, X)
// and E_t the "remaining residual" operator (brief §3.3; Lee et al. 2019, eqs. 8–11):
//   gradient flow   E_t = exp(−ηΘt/N_y)                  (t continuous, θ̇ = −η∇L)
//   discrete GD     E_t = (I − ηΘ/N_y)^t                 (t steps, θ ← θ − η∇L; exact for the linear model)
//   train points    f_t(X) = Y + E_t (f_0(X) − Y)
//   test points     f_t(x) = f_0(x) − Θ_x Θ⁻¹ (I − E_t)(f_0(X) − Y)
//   weights         ω_t    = −Jᵀ Θ⁻¹ (I − E_t)(f_0(X) − Y),  J = ∇θ f_0(X)
// Everything is applied in Θ's eigenbasis, and Θ⁻¹(I − E_t) is evaluated per eigenvalue as (1 − e_t(λ))/λ with its
// λ → 0 limit ηt/N_y, so no inverse of an ill-conditioned Θ is ever formed. Negative eigenvalues (round-off of a PSD
// kernel) are clamped to 0, as neural-tangents' `_make_expm1_fn` does.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { backwardDeltas, forwardTrace as forwardTraceMlp, layerScales as layerScalesMlp, type Mat, type Mlp as MlpNet } from './mlp.ts';
import { gramAB } from './ntk.ts';

export type Dynamics = 'flow' | 'gd';

/** Symmetric eigendecomposition Θ = V diag(λ) Vᵀ (V column-major in a row-major Mat: V[i][k] = v_k[i]). */
export function symEig(theta: Mat): { values: Float64Array; vectors: Mat } {
  if (theta.rows !== theta.cols) throw new Error(`Θ must be square, got ${theta.rows}×${theta.cols}`);
  const n = theta.rows;
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 0.5 * (theta.data[i * n + j]! + theta.data[j * n + i]!)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const V = evd.eigenvectorMatrix;
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) vectors[i * n + k] = V.get(i, k);
  return { values: Float64Array.from(evd.realEigenvalues), vectors: { rows: n, cols: n, data: vectors } };
}

/** e_t(λ): the residual factor for one eigenvalue after time/steps t. */
export function residualFactor(lambda: number, eta: number, t: number, nY: number, mode: Dynamics): number {
  const x = (eta * Math.max(lambda, 0)) / nY;
  return mode === 'flow' ? Math.exp(-x * t) : (1 - x) ** t;
}

/** (1 − e_t(λ))/λ, with the λ → 0 limit ηt/N_y; expm1/log1p keep it accurate for small ηλt/N_y. */
export function fittedFactor(lambda: number, eta: number, t: number, nY: number, mode: Dynamics): number {
  const l = Math.max(lambda, 0);
  const x = (eta * l) / nY;
  if (x * t < 1e-300 || l === 0) return (eta * t) / nY;
  let oneMinusE: number;
  if (mode === 'flow') oneMinusE = -Math.expm1(-x * t);
  else oneMinusE = x < 1 ? -Math.expm1(t * Math.log1p(-x)) : 1 - (1 - x) ** t;
  return oneMinusE / l;
}

/** y = A·v for a row-major matrix A. */
function matVec(A: Mat, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let k = 0; k < A.cols; k++) s += A.data[i * A.cols + k]! * v[k]!;
    out[i] = s;
  }
  return out;
}

/** y = Aᵀ·v for a row-major matrix A. */
function matTVec(A: Mat, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(A.cols);
  for (let i = 0; i < A.rows; i++) {
    const vi = v[i]!;
    for (let k = 0; k < A.cols; k++) out[k]! += A.data[i * A.cols + k]! * vi;
  }
  return out;
}

/** The linearized dynamics from one kernel and one initial residual; evaluate at any t. */
export interface LinearizedDynamics {
  /** f_t(X) on the training points. */
  train(t: number): Float64Array;
  /** f_t(x) on test points, from Θ_x = Θ̂_0(x, X) (m×n) and f_0(x). */
  test(thetaTestTrain: Mat, f0Test: ArrayLike<number>, t: number): Float64Array;
  /** ω_t = θ_t − θ_0 from the Jacobian J = ∇θ f_0(X) (n×P). */
  weights(jacobian: Mat, t: number): Float64Array;
  /** The eigenvalues of Θ (ascending as ml-matrix returns them). */
  eigenvalues: Float64Array;
}

/**
 * Builds the closed form for kernel Θ (n×n), initial outputs f0 and targets y (n each), step/rate η.
 * nY defaults to n (scalar output).
 */
export function linearizedDynamics(
  theta: Mat,
  f0: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { eta: number; mode: Dynamics; nY?: number },
): LinearizedDynamics {
  const n = theta.rows;
  if (f0.length !== n || y.length !== n) throw new Error(`f0 and y need ${n} entries, got ${f0.length} and ${y.length}`);
  const nY = opts.nY ?? n;
  const { values, vectors: V } = symEig(theta);
  const r0 = new Float64Array(n);
  for (let i = 0; i < n; i++) r0[i] = f0[i]! - y[i]!;
  const r0Eig = matTVec(V, r0); // Vᵀ(f0 − Y)
  // g_t = Θ⁻¹(I − E_t)(f0 − Y) in the original basis.
  const fitted = (t: number) => {
    const c = r0Eig.map((v, k) => v * fittedFactor(values[k]!, opts.eta, t, nY, opts.mode));
    return matVec(V, c);
  };
  return {
    eigenvalues: values,
    train(t) {
      const c = r0Eig.map((v, k) => v * residualFactor(values[k]!, opts.eta, t, nY, opts.mode));
      const r = matVec(V, c);
      return r.map((ri, i) => y[i]! + ri);
    },
    test(thetaTestTrain, f0Test, t) {
      if (thetaTestTrain.cols !== n) throw new Error(`Θ_x needs ${n} columns, got ${thetaTestTrain.cols}`);
      const g = fitted(t);
      const corr = matVec(thetaTestTrain, g);
      return corr.map((c, i) => f0Test[i]! - c);
    },
    weights(jacobian, t) {
      if (jacobian.rows !== n) throw new Error(`J needs ${n} rows, got ${jacobian.rows}`);
      return matTVec(jacobian, fitted(t)).map((w) => -w);
    },
  };
}

/** The linear model stepped by GD: ω ← ω − (η/N_y)·Jᵀ(f0 + Jω − Y). Returns ω after each requested step count. */
export function stepLinearModel(
  jacobian: Mat,
  f0: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { eta: number; steps: number; nY?: number; record?: (t: number, omega: Float64Array) => void },
): Float64Array {
  const n = jacobian.rows;
  const nY = opts.nY ?? n;
  const omega = new Float64Array(jacobian.cols);
  opts.record?.(0, omega);
  for (let t = 1; t <= opts.steps; t++) {
    const f = matVec(jacobian, omega);
    for (let i = 0; i < n; i++) f[i] = f[i]! + f0[i]! - y[i]!;
    const g = matTVec(jacobian, f);
    for (let k = 0; k < omega.length; k++) omega[k] = omega[k]! - (opts.eta / nY) * g[k]!;
    opts.record?.(t, omega);
  }
  return omega;
}

/** f0 + J·ω (the linear model's outputs). */
export function linearOutputs(jacobian: Mat, f0: ArrayLike<number>, omega: ArrayLike<number>): Float64Array {
  return matVec(jacobian, omega).map((v, i) => v + f0[i]!);
}

/** The largest step for which discrete GD on the linear model is stable: η < 2N_y/λ_max (brief §3.3). */
export function maxStableStep(theta: Mat, nY = theta.rows): number {
  const { values } = symEig(theta);
  return (2 * nY) / Math.max(...values);
}

// ---------------------------------------------------------------------------------------------------------------
// Linearized dynamics beyond GD on MSE (Lee et al. 2019, §2.2 and Figs 4–6: momentum and cross-entropy; brief §4).
// For the linear model f_lin(x) = f_0(x) + J(x)·ω every parameter-space update is a Jacobian image of the loss
// gradient in function space, g_t = J(X)ᵀ e_t with e_t = ∂L/∂f at f_t(X), so J(x)·g_t = Θ(x, X)·e_t and the whole
// run is a recurrence on outputs with the empirical NTK Θ = J Jᵀ (no parameters needed):
//   GD            f_{t+1}(x) = f_t(x) − η·Θ(x, X)·e_t
//   momentum      u_{t+1}(x) = μ·u_t(x) + Θ(x, X)·e_t   (u = J·a, the velocity a ← μa + g seen in function space)
//     heavy ball  f_{t+1}(x) = f_t(x) − η·u_{t+1}(x)
//     Nesterov    f_{t+1}(x) = f_t(x) − η·(Θ(x, X)·e_t + μ·u_{t+1}(x))
// (the PyTorch/TensorFlow convention of core/engine/types.ts). For MSE, e_t = (f_t − y)/n and this is a linear
// recurrence; for softmax cross-entropy e_t = (softmax(f_t) − onehot(y))/n has no closed form and the recurrence is
// integrated step by step, on train and test points at once (Lee et al.: "for cross-entropy ... solve numerically").
// Multi-output networks: outputs are indexed (i, j) → i·k + j, row-major as theory/mlp.ts stores f, and Θ is the
// full nk×nk empirical kernel including the cross-output blocks (empiricalNtkMulti), so the recurrence is exactly the
// linearized network's training, not its infinite-width (block-diagonal) limit.

/**
 * The empirical NTK of a multi-output mlp-v1 network: Θ[(i,j),(i',j')] = ∇θ f_j(x_i)·∇θ f_{j'}(x'_{i'}), an
 * (n1·k)×(n2·k) matrix. Per layer, with Δ^j_l = ∂f_j/∂z^l (one backward pass per output j),
 * Θ = Σ_l (Δ^j_l Δ'^{j'}_lᵀ) ⊙ (s_w²·H_{l−1} H'_{l−1}ᵀ + s_b²)  (theory/ntk.ts's per-layer Gram form, per output pair).
 */
export function empiricalNtkMulti(net: MlpNet, X1: Mat, X2: Mat = X1): Mat {
  const a = multiFactors(net, X1);
  return multiGram(net, a, X2 === X1 ? a : multiFactors(net, X2));
}

/**
 * Θ(X, X) and Θ(x, X) of empiricalNtkMulti, computing X's factors once (same values as two calls), and the outputs
 * f(X), f(x) of the same forward passes (forward()'s values).
 */
export function empiricalNtkMultiPair(net: MlpNet, X: Mat, Xtest: Mat): { theta: Mat; thetaTest: Mat; f: Float64Array; fTest: Float64Array } {
  const a = multiFactors(net, X);
  const b = multiFactors(net, Xtest);
  return { theta: multiGram(net, a, a), thetaTest: multiGram(net, b, a), f: a.outputs, fTest: b.outputs };
}

/** Per output j, the signals Δ^j_l = ∂f_j/∂z^l (one backward pass each, signals only), the activations H_{l−1}, f(X). */
function multiFactors(net: MlpNet, X: Mat): { acts: Mat[]; deltas: Mat[][]; outputs: Float64Array } {
  const k = net.layers.at(-1)!.nOut;
  const trace = forwardTraceMlp(net, X);
  const outputs = trace.pre.at(-1)!.data.slice();
  const deltas = Array.from({ length: k }, (_, j) => {
    const e = new Float64Array(X.rows * k);
    for (let i = 0; i < X.rows; i++) e[i * k + j] = 1;
    return backwardDeltas(net, trace, { rows: X.rows, cols: k, data: e });
  });
  return { acts: trace.post, deltas, outputs };
}

function multiGram(net: MlpNet, a: { acts: Mat[]; deltas: Mat[][] }, b: { acts: Mat[]; deltas: Mat[][] }): Mat {
  const k = net.layers.at(-1)!.nOut;
  const n1 = a.acts[0]!.rows;
  const n2 = b.acts[0]!.rows;
  const out = new Float64Array(n1 * k * n2 * k);
  net.layers.forEach((layer, l) => {
    const s = layerScalesMlp(net, layer.nIn);
    const hh = gramAB(a.acts[l]!, b.acts[l]!).data;
    for (let j = 0; j < k; j++) {
      for (let j2 = 0; j2 < k; j2++) {
        const dd = gramAB(a.deltas[j]![l]!, b.deltas[j2]![l]!).data;
        for (let i = 0; i < n1; i++) {
          for (let i2 = 0; i2 < n2; i2++) {
            out[(i * k + j) * (n2 * k) + i2 * k + j2]! += dd[i * n2 + i2]! * (s.w * s.w * hh[i * n2 + i2]! + s.b * s.b);
          }
        }
      }
    }
  });
  return { rows: n1 * k, cols: n2 * k, data: out };
}

export type LinearOptimizer = { kind: 'sgd' } | { kind: 'momentum'; momentum: number; nesterov?: boolean };

export interface FunctionSpaceRun {
  /** Θ(X, X), N×N with N = n·k outputs on the training points. */
  theta: Mat;
  /** Θ(x, X), M×N on the test points (optional). */
  thetaTest?: Mat;
  f0: ArrayLike<number>;
  f0Test?: ArrayLike<number>;
  /** e = ∂L/∂f at training outputs f (length N). */
  lossGrad: (f: Float64Array) => Float64Array;
  eta: number;
  optimizer: LinearOptimizer;
  steps: number;
  /** Called at t = 0..steps with the outputs before the update of step t. */
  record?: (t: number, f: Float64Array, fTest: Float64Array) => void;
}

/**
 * Trains the linearized network in function space (the recurrences above) and returns the final outputs.
 * Exact for the linear model f_0 + J·ω trained with the same optimizer (a property checks it against parameter space).
 */
export function trainLinearizedFunctionSpace(run: FunctionSpaceRun): { f: Float64Array; fTest: Float64Array } {
  const N = run.theta.rows;
  if (run.theta.cols !== N || run.f0.length !== N) throw new Error(`Θ is ${run.theta.rows}×${run.theta.cols}, f0 has ${run.f0.length} entries`);
  const M = run.thetaTest?.rows ?? 0;
  if (run.thetaTest && (run.thetaTest.cols !== N || run.f0Test?.length !== M)) throw new Error('Θ(x, X) and f0 on the test points do not match');
  const f = Float64Array.from(run.f0);
  const fTest = M > 0 ? Float64Array.from(run.f0Test!) : new Float64Array(0);
  const mom = run.optimizer.kind === 'momentum' ? run.optimizer : undefined;
  const mu = mom?.momentum ?? 0;
  const u = new Float64Array(N);
  const uTest = new Float64Array(M);
  for (let t = 0; t <= run.steps; t++) {
    run.record?.(t, f, fTest);
    if (t === run.steps) break;
    const e = run.lossGrad(f);
    const ge = matVec(run.theta, e);
    const geTest = run.thetaTest ? matVec(run.thetaTest, e) : new Float64Array(0);
    const update = (out: Float64Array, vel: Float64Array, g: Float64Array) => {
      for (let i = 0; i < out.length; i++) {
        if (!mom) {
          out[i] = out[i]! - run.eta * g[i]!;
          continue;
        }
        vel[i] = mu * vel[i]! + g[i]!;
        out[i] = out[i]! - run.eta * (mom.nesterov ? g[i]! + mu * vel[i]! : vel[i]!);
      }
    };
    update(f, u, ge);
    update(fTest, uTest, geTest);
  }
  return { f, fTest };
}
