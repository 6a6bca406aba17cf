// The empirical neural tangent kernel of an `mlp-v1` network (scalar output), in float64.
//
// Θ(x, x') = Σ_params ∂f(x)/∂θ · ∂f(x')/∂θ. Per layer l with scales (s_w, s_b) (theory/mlp.ts layerScales),
// ∂f/∂W_kj = s_w·h_k·δ_j and ∂f/∂b_j = s_b·δ_j with δ = ∂f/∂z^l, so
//   Θ = Σ_l (Δ_l Δ'_lᵀ) ⊙ (s_w²·H_{l-1} H'_{l-1}ᵀ + s_b²)
// (brief §3.5 "Efficient empirical NTK"; the per-layer Gram form of neural-tangents' structured derivatives).
import { backwardDeltas, forwardTrace, layerScales, outputDim, type Mat, type Mlp } from './mlp.ts';

/** Per-layer activations H_{l-1} and back-propagated signals Δ_l = ∂f/∂z^l for each row of X; also f(X) (forward's). */
export function tangentFactors(net: Mlp, X: Mat): { acts: Mat[]; deltas: Mat[]; outputs: Float64Array } {
  if (outputDim(net) !== 1) throw new Error(`the empirical NTK here needs a scalar output, the network has ${outputDim(net)}`);
  const trace = forwardTrace(net, X);
  const outputs = trace.pre.at(-1)!.data.slice();
  const ones = { rows: X.rows, cols: 1, data: new Float64Array(X.rows).fill(1) };
  const deltas = backwardDeltas(net, trace, ones); // the signals only: the parameter gradients are not needed
  return { acts: trace.post, deltas, outputs };
}

/** A·Bᵀ for row-major A (n×k) and B (m×k). */
export function gramAB(A: Mat, B: Mat): Mat {
  if (A.cols !== B.cols) throw new Error(`gram: ${A.cols} ≠ ${B.cols} columns`);
  const out = new Float64Array(A.rows * B.rows);
  const k = A.cols;
  const a = A.data;
  const b = B.data;
  const m = B.rows;
  for (let i = 0; i < A.rows; i++) {
    const ai = i * k;
    let j = 0;
    // Four entries of the row at once: four independent sums (each over q in order, so bit-identical to one at a
    // time) share every loaded A entry.
    for (; j + 3 < m; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let q = 0; q < k; q++) {
        const x = a[ai + q]!;
        s0 += x * b[b0 + q]!;
        s1 += x * b[b1 + q]!;
        s2 += x * b[b2 + q]!;
        s3 += x * b[b3 + q]!;
      }
      out[i * m + j] = s0;
      out[i * m + j + 1] = s1;
      out[i * m + j + 2] = s2;
      out[i * m + j + 3] = s3;
    }
    for (; j < m; j++) {
      const bj = j * k;
      let s = 0;
      for (let q = 0; q < k; q++) s += a[ai + q]! * b[bj + q]!;
      out[i * m + j] = s;
    }
  }
  return { rows: A.rows, cols: B.rows, data: out };
}

/** Θ(X1, X2): n1×n2; X2 defaults to X1. */
export function empiricalNtk(net: Mlp, X1: Mat, X2: Mat = X1): Mat {
  const a = tangentFactors(net, X1);
  return ntkFromFactors(net, a, X2 === X1 ? a : tangentFactors(net, X2));
}

/**
 * Θ(X, X) and Θ(x, X) with X's factors computed once (the same values as two empiricalNtk calls), and the outputs
 * f(X), f(x) of the same forward passes (forward()'s values).
 */
export function empiricalNtkPair(net: Mlp, X: Mat, Xtest: Mat): { theta: Mat; thetaTest: Mat; f: Float64Array; fTest: Float64Array } {
  const a = tangentFactors(net, X);
  const b = tangentFactors(net, Xtest);
  return { theta: ntkFromFactors(net, a, a), thetaTest: ntkFromFactors(net, b, a), f: a.outputs, fTest: b.outputs };
}

/** Θ = Σ_l (Δ_l Δ'_lᵀ) ⊙ (s_w²·H_{l-1} H'_{l-1}ᵀ + s_b²) from both batches' tangent factors. */
function ntkFromFactors(net: Mlp, a: { acts: Mat[]; deltas: Mat[] }, b: { acts: Mat[]; deltas: Mat[] }): Mat {
  const out = new Float64Array(a.acts[0]!.rows * b.acts[0]!.rows);
  net.layers.forEach((layer, l) => {
    const s = layerScales(net, layer.nIn);
    const dd = gramAB(a.deltas[l]!, b.deltas[l]!);
    const hh = gramAB(a.acts[l]!, b.acts[l]!);
    for (let q = 0; q < out.length; q++) out[q]! += dd.data[q]! * (s.w * s.w * hh.data[q]! + s.b * s.b);
  });
  return { rows: a.acts[0]!.rows, cols: b.acts[0]!.rows, data: out };
}
