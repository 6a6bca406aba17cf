// Embedding operators of the Embedding Principle (Zhang, Zhang, Luo, Xu, arXiv:2105.14573; JML 2022,
// arXiv:2111.15527; BRIEF.md §4.2) on `mlp-v1` networks of any depth, in both parameterizations.
//
// Hidden layers are numbered 1..L−1 (1-based, as the `embed` tool's --layer): hidden layer l is the output of
// net.layers[l−1] (its incoming weights are column j of that W) and feeds net.layers[l] (its outgoing weights are
// row j of that W). Every operator appends the new unit as the LAST unit of the layer.
//
// NTK parameterization: the next layer computes (σ_W/√n_l)·h·W, so adding a unit changes its factor from
// σ_W/√n_l to σ_W/√(n_l+1). We compensate by multiplying the whole stored W of the next layer by
// c = √((n_l+1)/n_l); the effective weights (σ_W/√n)·W are then exactly the narrow ones (split as α, 1−α),
// and the output is preserved exactly (up to the round-off of one multiplication). Standard: c = 1.
//
// Every operator is linear in θ (BRIEF §4.2), and so is its gradient map V (`embedGrads`):
//   ∇L_wide(T θ) = V ∇L_narrow(θ)   for every θ, every data set and every loss of the output.
import type { Grad, Layer, Mat, Mlp } from './mlp.ts';
import { activate, activateDeriv2, backward, forwardTrace, layerScales } from './mlp.ts';

/** One-step splitting of unit `neuron` (0-based) of hidden layer `layer` (1-based) with parameter α. */
export interface SplitStep {
  kind: 'split';
  layer: number;
  neuron: number;
  alpha: number;
}

/** Null embedding: a new unit with zero incoming weights, bias and outgoing weights (critical when φ(0) = 0). */
export interface NullStep {
  kind: 'null';
  layer: number;
}

export type EmbedStep = SplitStep | NullStep;

/** Hidden-layer widths n_1..n_{L−1}. */
export function hiddenWidths(net: Mlp): number[] {
  return net.layers.slice(0, -1).map((l) => l.nOut);
}

function checkLayer(net: Mlp, layer: number): void {
  const hidden = net.layers.length - 1;
  if (!Number.isInteger(layer) || layer < 1 || layer > hidden) {
    throw new RangeError(`layer ${layer}: the network has hidden layers 1..${hidden}`);
  }
}

function checkStep(net: Mlp, step: EmbedStep): void {
  checkLayer(net, step.layer);
  if (step.kind === 'split') {
    const n = net.layers[step.layer - 1]!.nOut;
    if (!Number.isInteger(step.neuron) || step.neuron < 0 || step.neuron >= n) {
      throw new RangeError(`neuron ${step.neuron}: hidden layer ${step.layer} has units 0..${n - 1}`);
    }
    if (!Number.isFinite(step.alpha)) throw new RangeError(`alpha ${step.alpha}: expected a finite number`);
  }
}

/** The factor that keeps the next layer's effective weights when hidden layer l grows from n to n+1. */
export function widthCompensation(net: Pick<Mlp, 'parameterization'>, n: number): number {
  return net.parameterization === 'ntk' ? Math.sqrt((n + 1) / n) : 1;
}

/** Column-append: a layer with one more output unit whose column and bias are given. */
function appendColumn(l: Layer, col: Float64Array, bias: number, scaleOld = 1, scaleCol: number[] = []): Layer {
  const nOut = l.nOut + 1;
  const W = new Float64Array(l.nIn * nOut);
  for (let k = 0; k < l.nIn; k++) {
    for (let j = 0; j < l.nOut; j++) W[k * nOut + j] = l.W[k * l.nOut + j]! * (scaleCol[j] ?? scaleOld);
    W[k * nOut + l.nOut] = col[k]!;
  }
  const b = new Float64Array(nOut);
  b.set(l.b);
  b[l.nOut] = bias;
  return { nIn: l.nIn, nOut, W, b };
}

/** Row-append: a layer with one more input unit; every old row scaled by `scale`, row `j` also by `rowScale`. */
function appendRow(l: Layer, row: Float64Array, scale: number, j = -1, rowScale = 1): Layer {
  const nIn = l.nIn + 1;
  const W = new Float64Array(nIn * l.nOut);
  for (let k = 0; k < l.nIn; k++) {
    const s = k === j ? scale * rowScale : scale;
    for (let q = 0; q < l.nOut; q++) W[k * l.nOut + q] = s * l.W[k * l.nOut + q]!;
  }
  W.set(row, l.nIn * l.nOut);
  return { nIn, nOut: l.nOut, W, b: l.b.slice() };
}

function column(l: Layer, j: number): Float64Array {
  const c = new Float64Array(l.nIn);
  for (let k = 0; k < l.nIn; k++) c[k] = l.W[k * l.nOut + j]!;
  return c;
}

function row(l: Layer, j: number): Float64Array {
  return l.W.slice(j * l.nOut, (j + 1) * l.nOut);
}

function replaceLayers(net: Mlp, at: number, inc: Layer, out: Layer): Mlp {
  const layers: Layer[] = net.layers.map((l) => ({ nIn: l.nIn, nOut: l.nOut, W: l.W.slice(), b: l.b.slice() }));
  layers[at - 1] = inc;
  layers[at] = out;
  return { ...net, layers };
}

/**
 * One-step splitting embedding T_α (BRIEF §4.2, lecture A8 Fig. 1.4): copy the incoming weights and bias of unit
 * j into a new last unit; its outgoing weights w_j become α·w_j and the copy's (1−α)·w_j.
 */
export function splitNeuron(net: Mlp, layer: number, neuron: number, alpha: number): Mlp {
  checkStep(net, { kind: 'split', layer, neuron, alpha });
  const inc = net.layers[layer - 1]!;
  const out = net.layers[layer]!;
  const c = widthCompensation(net, inc.nOut);
  const w = row(out, neuron);
  const copy = w.map((v) => c * (1 - alpha) * v);
  return replaceLayers(net, layer, appendColumn(inc, column(inc, neuron), inc.b[neuron]!), appendRow(out, copy, c, neuron, alpha));
}

/** Null embedding: a new last unit with all-zero incoming weights, bias and outgoing weights. */
export function nullNeuron(net: Mlp, layer: number): Mlp {
  checkStep(net, { kind: 'null', layer });
  const inc = net.layers[layer - 1]!;
  const out = net.layers[layer]!;
  const c = widthCompensation(net, inc.nOut);
  return replaceLayers(net, layer, appendColumn(inc, new Float64Array(inc.nIn), 0), appendRow(out, new Float64Array(out.nOut), c));
}

/**
 * NOT an embedding: the negative control's "split" that copies the outgoing weights instead of dividing them
 * (both units keep w_j), so the unit's contribution is counted twice and the output changes.
 */
export function copyOutgoingSplit(net: Mlp, layer: number, neuron: number): Mlp {
  checkStep(net, { kind: 'split', layer, neuron, alpha: 1 });
  const inc = net.layers[layer - 1]!;
  const out = net.layers[layer]!;
  const c = widthCompensation(net, inc.nOut);
  const w = row(out, neuron).map((v) => c * v);
  return replaceLayers(net, layer, appendColumn(inc, column(inc, neuron), inc.b[neuron]!), appendRow(out, w, c));
}

/**
 * NOT a critical embedding (the criticality rival): a new last unit with the given incoming weights and bias and
 * ZERO outgoing weights. The output is preserved exactly, but ∂L/∂(its outgoing weights) = s·Σ_i φ(z_i,new)·δ_i is not
 * zero unless φ(z_new) = 0 on the data (the null embedding: zero incoming weights, φ(0) = 0). It shows that output
 * preservation alone does not carry criticality.
 */
export function deadEndUnit(net: Mlp, layer: number, incoming: Float64Array, bias: number): Mlp {
  checkLayer(net, layer);
  const inc = net.layers[layer - 1]!;
  const out = net.layers[layer]!;
  if (incoming.length !== inc.nIn) throw new RangeError(`incoming weights: expected ${inc.nIn}, got ${incoming.length}`);
  const c = widthCompensation(net, inc.nOut);
  return replaceLayers(net, layer, appendColumn(inc, incoming, bias), appendRow(out, new Float64Array(out.nOut), c));
}

/**
 * NOT output-preserving under NTK scaling (the output-preservation rival): the one-step split or null unit as written
 * for the standard parameterization, applied to the stored weights without the √((n+1)/n) compensation. Under NTK the
 * next layer's factor σ_W/√n becomes σ_W/√(n+1), so every unit's contribution shrinks by √(n/(n+1)); under the
 * standard parameterization it is the real embedding.
 */
export function uncompensatedStep(net: Mlp, step: EmbedStep): Mlp {
  const wide = embedStep(net, step);
  const c = widthCompensation(net, net.layers[step.layer - 1]!.nOut);
  const next = wide.layers[step.layer]!;
  const layers = wide.layers.map((l, i) => (i === step.layer ? { ...next, W: next.W.map((v) => v / c) } : l));
  return { ...wide, layers };
}

export function embedStep(net: Mlp, step: EmbedStep): Mlp {
  return step.kind === 'split' ? splitNeuron(net, step.layer, step.neuron, step.alpha) : nullNeuron(net, step.layer);
}

/** A multi-step embedding: the composition of the steps, applied left to right. */
export function embed(net: Mlp, steps: readonly EmbedStep[]): Mlp {
  return steps.reduce(embedStep, net);
}

/**
 * The gradient map V of one step [D, BRIEF §4.2]: given the narrow network and its gradient at θ, the wide
 * gradient at T θ. Split: the incoming gradient of unit j is shared as α·g and (1−α)·g (the unit's back-propagated
 * signal is scaled by its outgoing weight); both outgoing rows get the narrow row (identical activations); under
 * NTK scaling the next layer's stored-weight gradients carry the factor σ_W/√(n+1) = (σ_W/√n)/c, hence /c.
 * Null: the new unit's gradients are zero because φ(0) = 0 for every mlp-v1 activation.
 */
export function embedGradStep(net: Mlp, grads: readonly Grad[], step: EmbedStep): Grad[] {
  checkStep(net, step);
  const l = step.layer;
  const inc = net.layers[l - 1]!;
  const out = net.layers[l]!;
  const c = widthCompensation(net, inc.nOut);
  const gi: Layer = { nIn: inc.nIn, nOut: inc.nOut, W: grads[l - 1]!.W, b: grads[l - 1]!.b };
  const go: Layer = { nIn: out.nIn, nOut: out.nOut, W: grads[l]!.W, b: grads[l]!.b };
  let newInc: Layer;
  let newOut: Layer;
  if (step.kind === 'split') {
    const j = step.neuron;
    const a = step.alpha;
    const gcol = column(gi, j);
    const colScale = Array.from({ length: inc.nOut }, (_, q) => (q === j ? a : 1));
    newInc = appendColumn(gi, gcol.map((v) => (1 - a) * v), (1 - a) * gi.b[j]!, 1, colScale);
    newInc.b[j] = a * gi.b[j]!;
    newOut = appendRow(go, row(go, j).map((v) => v / c), 1 / c);
  } else {
    // ∂L/∂(outgoing row of the null unit) = s'·Σ_i φ(0)·δ_i: zero since φ(0) = 0.
    if (activate(net.activation, 0) !== 0) throw new Error(`null embedding needs φ(0) = 0 (activation ${net.activation})`);
    newInc = appendColumn(gi, new Float64Array(inc.nIn), 0);
    newOut = appendRow(go, new Float64Array(out.nOut), 1 / c);
  }
  return grads.map((g, q) => (q === l - 1 ? { W: newInc.W, b: newInc.b } : q === l ? { W: newOut.W, b: newOut.b } : { W: g.W.slice(), b: g.b.slice() }));
}

/** V for a multi-step embedding: the steps' maps composed, each applied on the network it acts on. */
export function embedGrads(net: Mlp, grads: readonly Grad[], steps: readonly EmbedStep[]): Grad[] {
  let n = net;
  let g: Grad[] = grads.map((x) => ({ W: x.W.slice(), b: x.b.slice() }));
  for (const s of steps) {
    g = embedGradStep(n, g, s);
    n = embedStep(n, s);
  }
  return g;
}

/**
 * The tangent of the α-family at T_α θ (the derivative d/dα of the wide parameters), flattened in
 * flattenParams order: +c·w_j on the split unit's outgoing row and −c·w_j on the copy's. Along it the output, hence
 * the loss, is constant; at an embedded critical point it is a zero direction of the wide Hessian.
 */
export function alphaTangent(narrow: Mlp, layer: number, neuron: number): Float64Array {
  const wide = splitNeuron(narrow, layer, neuron, 0.5);
  const out = narrow.layers[layer]!;
  const c = widthCompensation(narrow, narrow.layers[layer - 1]!.nOut);
  const sizes = wide.layers.map((l) => l.W.length + l.b.length);
  const v = new Float64Array(sizes.reduce((s, x) => s + x, 0));
  const offset = sizes.slice(0, layer).reduce((s, x) => s + x, 0);
  const nOut = out.nOut;
  for (let q = 0; q < nOut; q++) {
    const w = out.W[neuron * nOut + q]!;
    v[offset + neuron * nOut + q] = c * w;
    v[offset + out.nIn * nOut + q] = -c * w;
  }
  return v;
}

/**
 * The split unit's curvature H_s for a network with ONE hidden layer (BRIEF §4.2, [D]):
 *   H_s = (1/n)·Σ_i (ã_s·r_i)·φ''(z_is)·x̃_i x̃_iᵀ,   x̃_i = (s_w·x_i, s_b),  r_i = f(x_i) − y_i,
 * with ã_s = s_w'·a_s the unit's effective outgoing weights. At a critical point θ of the MSE loss, the wide
 * Hessian at T_α θ restricted to the orthonormal split directions (splitSubspace) equals
 *   α(1−α)/(α²+(1−α)²)·H_s     (an exact identity, not a Taylor approximation).
 * Returned as a (d+1)×(d+1) row-major matrix over (incoming weights, bias).
 */
export function splitCurvature(narrow: Mlp, X: Mat, Y: Mat, neuron: number): Float64Array {
  if (narrow.layers.length !== 2) throw new Error('splitCurvature: the network must have exactly one hidden layer');
  const [inc, out] = narrow.layers as [Layer, Layer];
  const si = layerScales(narrow, inc.nIn);
  const so = layerScales(narrow, out.nIn);
  const tr = forwardTrace(narrow, X);
  const f = tr.pre[1]!;
  const z = tr.pre[0]!;
  const d = inc.nIn;
  const H = new Float64Array((d + 1) * (d + 1));
  const n = X.rows;
  const xt = new Float64Array(d + 1);
  for (let i = 0; i < n; i++) {
    let ar = 0;
    for (let k = 0; k < out.nOut; k++) ar += so.w * out.W[neuron * out.nOut + k]! * (f.data[i * out.nOut + k]! - Y.data[i * out.nOut + k]!);
    const c = (ar * activateDeriv2(narrow.activation, z.data[i * inc.nOut + neuron]!)) / n;
    for (let q = 0; q < d; q++) xt[q] = si.w * X.data[i * d + q]!;
    xt[d] = si.b;
    for (let p = 0; p <= d; p++) for (let q = 0; q <= d; q++) H[p * (d + 1) + q]! += c * xt[p]! * xt[q]!;
  }
  return H;
}

/**
 * Orthonormal directions in the wide (T_α θ, one hidden layer) parameter space, in flattenParams order: for each
 * incoming coordinate u (weights then bias) of the split unit s, (1−α)·e_u on s and −α·e_u on its copy (the last
 * unit), divided by √(α²+(1−α)²). Along them the output is unchanged to first order.
 */
export function splitSubspace(narrow: Mlp, neuron: number, alpha: number): Float64Array[] {
  const inc = narrow.layers[0]!;
  const m = inc.nOut;
  const wide = m + 1;
  const P = narrow.layers.reduce((s, l, i) => s + (i === 0 ? (l.nIn + 1) * wide : (l.nIn + (i === 1 ? 1 : 0)) * l.nOut + l.nOut), 0);
  const norm = Math.sqrt(alpha * alpha + (1 - alpha) * (1 - alpha));
  const dirs: Float64Array[] = [];
  for (let u = 0; u <= inc.nIn; u++) {
    const v = new Float64Array(P);
    // W is nIn×wide row-major and b follows it, so coordinate u (u = nIn: the bias) of a unit sits at u·wide + unit.
    const at = (unit: number) => u * wide + unit;
    v[at(neuron)] = (1 - alpha) / norm;
    v[at(m)] = -alpha / norm;
    dirs.push(v);
  }
  return dirs;
}

export interface Condensed {
  /** The narrow network (one hidden layer of `clusters.length` units), or null when no unit survives. */
  net: Mlp | null;
  /** Indices of the wide units merged into each narrow unit (dropped low-amplitude units are in none). */
  clusters: number[][];
}

/**
 * Network reduction, the inverse of splitting (lecture A8 §1.4, BRIEF §4.3), for one hidden layer: a unit k has
 * input direction u_k = (s_w·w_k, s_b·b_k) and amplitude A_k = ‖ã_k‖·‖u_k‖ (ã the effective outgoing weights).
 * Units with A_k < minAmplitude·max A are dropped; the rest are grouped greedily (largest amplitude first) with
 * |cos(u_k, u_rep)| ≥ cosine, where an antiparallel unit counts (sign-flipped) only for odd activations
 * (tanh, erf, linear: φ(−z) = −φ(z)). Each group becomes its representative's incoming weights with outgoing
 * weight Σ_k sign_k·a_k‖u_k‖/‖u_rep‖ (A8's merge rule; exact for parallel units of a homogeneous activation,
 * otherwise a starting point to polish). Returned in the standard parameterization.
 */
export function condense(net: Mlp, opts: { cosine: number; minAmplitude: number }): Condensed {
  if (net.layers.length !== 2) throw new Error('condense: the network must have exactly one hidden layer');
  const [inc, out] = net.layers as [Layer, Layer];
  const si = net.parameterization === 'ntk' ? { w: net.sigmaW / Math.sqrt(inc.nIn), b: net.sigmaB } : { w: 1, b: 1 };
  const so = net.parameterization === 'ntk' ? { w: net.sigmaW / Math.sqrt(out.nIn), b: net.sigmaB } : { w: 1, b: 1 };
  const d = inc.nIn;
  const m = inc.nOut;
  const q = out.nOut;
  const odd = net.activation !== 'relu';
  const u = Array.from({ length: m }, (_, k) => [...Array.from({ length: d }, (_, i) => si.w * inc.W[i * m + k]!), si.b * inc.b[k]!]);
  const a = Array.from({ length: m }, (_, k) => Array.from({ length: q }, (_, c) => so.w * out.W[k * q + c]!));
  const nrm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const amp = u.map((uk, k) => nrm(a[k]!) * nrm(uk));
  const maxAmp = Math.max(0, ...amp);
  const order = amp.map((_, k) => k).filter((k) => amp[k]! > 0 && amp[k]! >= opts.minAmplitude * maxAmp).sort((x, y) => amp[y]! - amp[x]!);
  const clusters: { rep: number; members: number[]; outW: number[] }[] = [];
  for (const k of order) {
    let placed = false;
    for (const c of clusters) {
      const ur = u[c.rep]!;
      const cos = ur.reduce((s, x, i) => s + x * u[k]![i]!, 0) / (nrm(ur) * nrm(u[k]!));
      const sign = cos >= opts.cosine ? 1 : odd && -cos >= opts.cosine ? -1 : 0;
      if (sign === 0) continue;
      const ratio = (sign * nrm(u[k]!)) / nrm(ur);
      c.outW.forEach((_, i) => (c.outW[i]! += a[k]![i]! * ratio));
      c.members.push(k);
      placed = true;
      break;
    }
    if (!placed) clusters.push({ rep: k, members: [k], outW: a[k]!.slice() });
  }
  if (clusters.length === 0) return { net: null, clusters: [] };
  const w = clusters.length;
  const W1 = new Float64Array(d * w);
  const b1 = new Float64Array(w);
  const W2 = new Float64Array(w * q);
  clusters.forEach((c, j) => {
    for (let i = 0; i < d; i++) W1[i * w + j] = u[c.rep]![i]!;
    b1[j] = u[c.rep]![d]!;
    for (let i = 0; i < q; i++) W2[j * q + i] = c.outW[i]!;
  });
  const b2 = Float64Array.from(out.b, (v) => so.b * v);
  return {
    net: { activation: net.activation, parameterization: 'standard', sigmaW: net.sigmaW, sigmaB: net.sigmaB, layers: [{ nIn: d, nOut: w, W: W1, b: b1 }, { nIn: w, nOut: q, W: W2, b: b2 }] },
    clusters: clusters.map((c) => c.members),
  };
}

/**
 * The split unit's curvature for a network of ANY depth (BRIEF §4.2 generalised; [D]): for unit s of hidden layer l,
 *   H_s = Σ_i g_is·φ''(z_is)·x̃_i x̃_iᵀ,   x̃_i = (s_w·h^{l−1}_i, s_b),   g_is = ∂L/∂h^l_is,
 * with h^{l−1} the layer's input and g the back-propagated gradient of the (1/2n) MSE loss at the unit's output. Along
 * the split directions of splitSubspaceAt every first-order change of the output cancels (α·(1−α) − (1−α)·α = 0), so
 * the second derivative of L is α(1−α)·uᵀH_s u: on those orthonormal directions the wide Hessian is exactly
 * α(1−α)/(α²+(1−α)²)·H_s, at any embedded point. With one hidden layer g_is = ã_s·r_i/n and this is splitCurvature.
 */
export function splitCurvatureAt(narrow: Mlp, X: Mat, Y: Mat, layer: number, neuron: number): Float64Array {
  checkStep(narrow, { kind: 'split', layer, neuron, alpha: 0.5 });
  const tr = forwardTrace(narrow, X);
  const f = tr.pre[tr.pre.length - 1]!;
  const n = X.rows;
  const dOut = new Float64Array(f.data.length);
  for (let q = 0; q < dOut.length; q++) dOut[q] = (f.data[q]! - Y.data[q]!) / n;
  const { deltas } = backward(narrow, tr, { rows: f.rows, cols: f.cols, data: dOut });
  const inc = narrow.layers[layer - 1]!;
  const out = narrow.layers[layer]!;
  const si = layerScales(narrow, inc.nIn);
  const so = layerScales(narrow, out.nIn);
  const delta = deltas[layer]!; // ∂L/∂z of the outgoing layer
  const z = tr.pre[layer - 1]!;
  const h = tr.post[layer - 1]!;
  const d = inc.nIn;
  const H = new Float64Array((d + 1) * (d + 1));
  const xt = new Float64Array(d + 1);
  for (let i = 0; i < n; i++) {
    let g = 0;
    for (let k = 0; k < out.nOut; k++) g += so.w * out.W[neuron * out.nOut + k]! * delta.data[i * out.nOut + k]!;
    const c = g * activateDeriv2(narrow.activation, z.data[i * inc.nOut + neuron]!);
    for (let q = 0; q < d; q++) xt[q] = si.w * h.data[i * d + q]!;
    xt[d] = si.b;
    for (let p = 0; p <= d; p++) for (let q = 0; q <= d; q++) H[p * (d + 1) + q]! += c * xt[p]! * xt[q]!;
  }
  return H;
}

/**
 * splitSubspace for any depth: orthonormal directions in the parameters of splitNeuron(narrow, layer, neuron, α)
 * (flattenParams order): for each incoming coordinate u (weights, then bias) of unit s in hidden layer l,
 * (1−α)·e_u on s and −α·e_u on its copy (the layer's last unit), divided by √(α²+(1−α)²).
 */
export function splitSubspaceAt(narrow: Mlp, layer: number, neuron: number, alpha: number): Float64Array[] {
  const wide = splitNeuron(narrow, layer, neuron, alpha);
  const P = wide.layers.reduce((s, l) => s + l.W.length + l.b.length, 0);
  const offset = wide.layers.slice(0, layer - 1).reduce((s, l) => s + l.W.length + l.b.length, 0);
  const inc = wide.layers[layer - 1]!;
  const copy = inc.nOut - 1;
  const norm = Math.sqrt(alpha * alpha + (1 - alpha) * (1 - alpha));
  const dirs: Float64Array[] = [];
  for (let u = 0; u <= inc.nIn; u++) {
    const v = new Float64Array(P);
    const at = (unit: number) => offset + (u < inc.nIn ? u * inc.nOut + unit : inc.nIn * inc.nOut + unit);
    v[at(neuron)] = (1 - alpha) / norm;
    v[at(copy)] = -alpha / norm;
    dirs.push(v);
  }
  return dirs;
}

// ---------------------------------------------------------------------------------------------------------------------
// Channel splitting for convolutional networks (`cnn-v1`, theory/cnn.ts). The Embedding Principle's width is the
// channel count of a conv layer (seed 001; Zhang et al. 2021, §2 "for CNN, width = number of channels"): splitting
// channel j of a parameter layer copies its incoming kernel slice and bias into a new last channel and divides its
// outgoing weights as α·w_j and (1−α)·w_j. Pools act channel by channel, so the copy's pooled map equals channel j's.
// The next parameter layer's W is viewed as [G][C][K] (G groups of the C input channels, K outputs): a conv has
// G = kh·kw, a dense layer after flatten G = H·W (its input rows are grouped by spatial position, channel fastest),
// a dense layer after a dense layer G = 1. The copy's row is appended at the end of each group. Under NTK the fan-in
// grows by G, i.e. by the factor (C+1)/C, so the whole stored W of the next layer is multiplied by c = √((C+1)/C).
import { cnnShapes, type Cnn, type CnnGrad, type ConvLayer, type DenseLayer } from './cnn.ts';

/** Indices in net.layers of the parameter layers (conv and dense), in order. */
export function cnnParamLayers(net: Cnn): number[] {
  return net.layers.flatMap((l, i) => (l.type === 'conv' || l.type === 'dense' ? [i] : []));
}

/** The slot of a split: the incoming layer, the next parameter layer, its [G][C][K] view, and the NTK factor c. */
interface ChannelSlot {
  at: number;
  next: number;
  channels: number;
  groups: number;
  outs: number;
  c: number;
}

/** `layer` counts parameter layers 1-based and may not be the last (the `embed` tool's --layer for cnn-v1). */
export function channelSlot(net: Cnn, layer: number, channel: number): ChannelSlot {
  const p = cnnParamLayers(net);
  if (!Number.isInteger(layer) || layer < 1 || layer >= p.length) throw new RangeError(`layer ${layer}: the network has parameter layers 1..${p.length - 1} to widen (the last is the output)`);
  const at = p[layer - 1]!;
  const next = p[layer]!;
  const inc = net.layers[at] as ConvLayer | DenseLayer;
  const channels = inc.type === 'conv' ? inc.cout : inc.nOut;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) throw new RangeError(`channel ${channel}: layer ${layer} has channels 0..${channels - 1}`);
  const out = net.layers[next] as ConvLayer | DenseLayer;
  let groups: number;
  let outs: number;
  if (out.type === 'conv') {
    groups = out.kh * out.kw;
    outs = out.cout;
  } else {
    groups = out.nIn / channels;
    outs = out.nOut;
  }
  return { at, next, channels, groups, outs, c: net.parameterization === 'ntk' ? Math.sqrt((channels + 1) / channels) : 1 };
}

/** [R][C] → [R][C+1]: every entry times `scale` (entry j of each row times scaleJ too), the new column appended. */
function appendLastChannel(W: Float64Array, C: number, col: Float64Array, j = -1, scaleJ = 1): Float64Array {
  const R = W.length / C;
  const out = new Float64Array(R * (C + 1));
  for (let r = 0; r < R; r++) {
    for (let q = 0; q < C; q++) out[r * (C + 1) + q] = W[r * C + q]! * (q === j ? scaleJ : 1);
    out[r * (C + 1) + C] = col[r]!;
  }
  return out;
}

/** [G][C][K] → [G][C+1][K]: every entry times `scale`, row j of each group also times scaleJ, row `rows[g]` appended. */
function appendGroupRow(W: Float64Array, G: number, C: number, K: number, rows: Float64Array, scale: number, j = -1, scaleJ = 1): Float64Array {
  const out = new Float64Array(G * (C + 1) * K);
  for (let g = 0; g < G; g++) {
    for (let q = 0; q < C; q++) {
      const s = q === j ? scale * scaleJ : scale;
      for (let k = 0; k < K; k++) out[(g * (C + 1) + q) * K + k] = s * W[(g * C + q) * K + k]!;
    }
    for (let k = 0; k < K; k++) out[(g * (C + 1) + C) * K + k] = rows[g * K + k]!;
  }
  return out;
}

/** Entry j of each row of an [R][C] array. */
function channelColumn(W: Float64Array, C: number, j: number): Float64Array {
  return Float64Array.from({ length: W.length / C }, (_, r) => W[r * C + j]!);
}

/** Row j of each group of a [G][C][K] array, as [G][K]. */
function groupRows(W: Float64Array, G: number, C: number, K: number, j: number): Float64Array {
  const out = new Float64Array(G * K);
  for (let g = 0; g < G; g++) out.set(W.subarray((g * C + j) * K, (g * C + j + 1) * K), g * K);
  return out;
}

/** The net with layers `at` and `next` widened by one channel, given their new W and b. */
function widenAt(net: Cnn, s: ChannelSlot, incW: Float64Array, incB: Float64Array, outW: Float64Array): Cnn {
  const layers = net.layers.map((l, i) => {
    if (l.type !== 'conv' && l.type !== 'dense') return { ...l };
    if (i === s.at) return l.type === 'conv' ? { ...l, cout: l.cout + 1, W: incW, b: incB } : { ...l, nOut: l.nOut + 1, W: incW, b: incB };
    if (i === s.next) return l.type === 'conv' ? { ...l, cin: l.cin + 1, W: outW, b: l.b.slice() } : { ...l, nIn: l.nIn + s.groups, W: outW, b: l.b.slice() };
    return { ...l, W: l.W.slice(), b: l.b.slice() };
  });
  const wide: Cnn = { ...net, input: [...net.input], layers };
  cnnShapes(wide);
  return wide;
}

function appendValue(b: Float64Array, v: number, j = -1, scaleJ = 1): Float64Array {
  const out = new Float64Array(b.length + 1);
  out.set(b);
  if (j >= 0) out[j] = b[j]! * scaleJ;
  out[b.length] = v;
  return out;
}

/**
 * One-step splitting of channel (or unit) `channel` of parameter layer `layer` (1-based, not the last) with α: the
 * copy is the new last channel with the same incoming kernel slice and bias; channel j's outgoing weights become
 * α·w_j and the copy's (1−α)·w_j (times c under NTK). Output-preserving for every input (Zhang et al. 2021, eq. 5).
 */
export function splitChannel(net: Cnn, layer: number, channel: number, alpha: number): Cnn {
  if (!Number.isFinite(alpha)) throw new RangeError(`alpha ${alpha}: expected a finite number`);
  const s = channelSlot(net, layer, channel);
  const inc = net.layers[s.at] as ConvLayer | DenseLayer;
  const out = net.layers[s.next] as ConvLayer | DenseLayer;
  const copyRows = groupRows(out.W, s.groups, s.channels, s.outs, channel).map((v) => s.c * (1 - alpha) * v);
  return widenAt(
    net,
    s,
    appendLastChannel(inc.W, s.channels, channelColumn(inc.W, s.channels, channel)),
    appendValue(inc.b, inc.b[channel]!),
    appendGroupRow(out.W, s.groups, s.channels, s.outs, copyRows, s.c, channel, alpha),
  );
}

/**
 * The gradient map of splitChannel (as embedGradStep for MLPs): the wide gradient at the split point from the narrow
 * gradient. Channel j's back-propagated signal is scaled by α and the copy's by 1−α (their outgoing weights), so their
 * incoming gradients are α·g_j and (1−α)·g_j; the copy's activations equal channel j's, so both outgoing rows get the
 * narrow row, and under NTK the next layer's effective factor σ_W/√fan_in shrinks by c, hence /c on its W gradient.
 * ∇L_wide(T θ) = V ∇L_narrow(θ) for every data set and every loss of the output: criticality-preserving.
 */
export function splitChannelGrads(net: Cnn, grads: readonly (CnnGrad | null)[], layer: number, channel: number, alpha: number): (CnnGrad | null)[] {
  const s = channelSlot(net, layer, channel);
  const gi = grads[s.at]!;
  const go = grads[s.next]!;
  const C = s.channels;
  return grads.map((g, i) => {
    if (i === s.at) return { W: appendLastChannel(gi.W, C, channelColumn(gi.W, C, channel).map((v) => (1 - alpha) * v), channel, alpha), b: appendValue(gi.b, (1 - alpha) * gi.b[channel]!, channel, alpha) };
    if (i === s.next) return { W: appendGroupRow(go.W, s.groups, C, s.outs, groupRows(go.W, s.groups, C, s.outs, channel).map((v) => v / s.c), 1 / s.c), b: go.b.slice() };
    return g === null ? null : { W: g.W.slice(), b: g.b.slice() };
  });
}

/**
 * NOT an embedding (the rival of embedding.cnn-channel-split): a new last channel with the given incoming kernel
 * slice (length W.length / C of the incoming layer) and bias, and zero outgoing weights. The output is preserved
 * exactly, but the gradient of the zero outgoing weights, s_w·Σ φ(z_new)·δ, is in general not zero.
 */
export function deadEndChannel(net: Cnn, layer: number, incoming: Float64Array, bias: number): Cnn {
  const s = channelSlot(net, layer, 0);
  const inc = net.layers[s.at] as ConvLayer | DenseLayer;
  const out = net.layers[s.next] as ConvLayer | DenseLayer;
  if (incoming.length !== inc.W.length / s.channels) throw new RangeError(`incoming has ${incoming.length} entries, the layer's channels take ${inc.W.length / s.channels}`);
  return widenAt(net, s, appendLastChannel(inc.W, s.channels, incoming), appendValue(inc.b, bias), appendGroupRow(out.W, s.groups, s.channels, s.outs, new Float64Array(s.groups * s.outs), s.c));
}
