// Where γ² comes from, per neuron, in 1-D: the translation-invariant part of one neuron's NTK averaged over a uniform
// bias (BRIEF §2.3 derivation sketch, made exact here), for the standard bias and for the "modified bias" of
// arXiv:1905.10264 (seed text 000: "为了计算方便,我们对偏置项做了一点小改动", a small change to the bias term for
// ease of computation; BRIEF §2.3(b)).
//
// Standard bias, h = a·ReLU(w x + b), b ~ U[−v_l, v_l], parameters (a, w, b). The kink sits at c = −b/w with density
// |w|/(2v_l). Integrating the NTK a-, b- and w-gradient products over c (while both points lie inside the kink range,
// |x| ≤ v_l/|w|) gives, up to a polynomial of degree ≤ 3 in x for fixed x':
//   a-gradient  ReLU·ReLU'      → |w|³/(24 v_l)·|x − x'|³
//   b-gradient  a²H·H'          → −a²|w|/(4 v_l)·|x − x'|
//   w-gradient  a²x x' H·H'     → −a²|w|/(4 v_l)·x x'|x − x'|   (not translation-invariant: LFP drops it)
// So the stationary part is G/(2 v_l) with G the kernel of theory/lfp.ts for a = a²|w|/(4π²), b = |w|³/(16π⁴): the
// coefficients of lfpCoefficients (theory/lfp-net.ts) per neuron. This is the time scale lfp.dynamics uses.
//
// Modified bias, h = w·ReLU(r (x − l)), l ~ U[−v_l, v_l], parameters (w, r, l) (BRIEF §2.3(b): w the output weight,
// r the input weight, l the offset, trainable). The kink sits at l with density 1/(2 v_l) whatever r is, and every
// gradient is a function of x − l alone, so the average over l is translation-invariant up to a polynomial, with no
// dropped term:
//   w-gradient  ReLU(r(x−l))·ReLU(r(x'−l))   → r²/(24 v_l)·|x − x'|³
//   r-gradient  w²(x−l)(x'−l)H·H'            → w²/(24 v_l)·|x − x'|³
//   l-gradient  w²r² H·H'                    → −w²r²/(4 v_l)·|x − x'|
// i.e. γ² with b = ⟨r² + w²⟩/(16π⁴) (the |ξ|^-(d+3) term) and a = ⟨r²w²⟩/(4π²) (the |ξ|^-(d+1) term), as BRIEF
// §2.3(b) states (there "∝", a derivation [D] not read in the paper): pairing (r² + w²) with |ξ|^-(d+3).
// Exact in 1-D up to the common factor 1/(2 v_l), which the long-time solution does not see; in d > 1 BRIEF's form is
// the same with the isotropic average over directions (not checked here).

/** Coefficients of the stationary kernel c3·|x − x'|³ + c1·|x − x'| + cross·x x'|x − x'| of one neuron's mean NTK. */
export interface NeuronKernel {
  c3: number;
  c1: number;
  /** The non-stationary w-gradient term (standard bias only). */
  cross: number;
}

/** Standard bias: h = a·ReLU(w x + b), b ~ U[−v_l, v_l]. */
export function standardBiasKernel(w: number, a: number, vl: number): NeuronKernel {
  const r = Math.abs(w);
  return { c3: r ** 3 / (24 * vl), c1: (-a * a * r) / (4 * vl), cross: (-a * a * r) / (4 * vl) };
}

/** Modified bias: h = w·ReLU(r (x − l)), l ~ U[−v_l, v_l] (w the output weight, r the input weight). */
export function modifiedBiasKernel(r: number, w: number, vl: number): NeuronKernel {
  return { c3: (r * r + w * w) / (24 * vl), c1: (-w * w * r * r) / (4 * vl), cross: 0 };
}

/**
 * LFP coefficients in the `lfp` tool's convention (γ² = a|ξ|^-(d+1) + b|ξ|^-(d+3)) for a network of modified-bias
 * neurons w_j·ReLU(r_j(û_j·x + l_j)): b = ⟨r² + w²⟩/(16π⁴), a = ⟨r²w²⟩/(4π²) (BRIEF §2.3(b); exact in 1-D, see above).
 */
export function lfpCoefficientsModifiedBias(r: ArrayLike<number>, w: ArrayLike<number>): { a: number; b: number } {
  if (r.length !== w.length || r.length === 0) throw new Error('lfpCoefficientsModifiedBias: r and w need the same, non-zero length');
  let rw = 0;
  let r2w2 = 0;
  for (let j = 0; j < r.length; j++) {
    rw += r[j]! ** 2 + w[j]! ** 2;
    r2w2 += r[j]! ** 2 * w[j]! ** 2;
  }
  return { a: r2w2 / r.length / (4 * Math.PI ** 2), b: rw / r.length / (16 * Math.PI ** 4) };
}

export function neuronKernelValue(k: NeuronKernel, x: number, xp: number): number {
  const d = Math.abs(x - xp);
  return k.c3 * d ** 3 + k.c1 * d + k.cross * x * xp * d;
}
