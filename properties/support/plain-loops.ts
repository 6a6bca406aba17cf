// Plain-loop oracles shared by several property files: the formulas written as the simplest float64 loops, every
// sum in the order the kernels under test promise to keep, so a kernel must match them bit for bit.
import { activate, activateDeriv, layerScales, type Mat, type Mlp } from '../../theory/mlp.ts';

/** One GD step of a d-w-1 network by the plain loops of wide-run.ts's formulas (sums in sample / input order). */
export function plainGdStep(net: Mlp, X: Mat, y: Float64Array, eta: number): Float64Array {
  const [L1, L2] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  const d = L1.nIn;
  const w = L1.nOut;
  const n = X.rows;
  const s1 = layerScales(net, d);
  const s2 = layerScales(net, w);
  const H = new Float64Array(n * w);
  const D = new Float64Array(n * w);
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = 0; k < w; k++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += X.data[i * d + j]! * L1.W[j * w + k]!;
      z = s1.w * z + s1.b * L1.b[k]!;
      H[i * w + k] = activate(net.activation, z);
      D[i * w + k] = activateDeriv(net.activation, z);
      acc += H[i * w + k]! * L2.W[k]!;
    }
    f[i] = s2.w * acc + s2.b * L2.b[0]!;
  }
  const r = new Float64Array(n);
  let gc = 0;
  for (let i = 0; i < n; i++) {
    r[i] = (f[i]! - y[i]!) / n;
    gc += r[i]!;
  }
  const gW = new Float64Array(d * w);
  const gb = new Float64Array(w);
  for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) D[i * w + k] = r[i]! * s2.w * L2.W[k]! * D[i * w + k]!;
  for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) gb[k]! += D[i * w + k]!;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) for (let k = 0; k < w; k++) gW[j * w + k]! += X.data[i * d + j]! * D[i * w + k]!;
  for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) L2.W[k]! -= eta * s2.w * r[i]! * H[i * w + k]!;
  L2.b[0]! -= eta * s2.b * gc;
  for (let q = 0; q < gW.length; q++) L1.W[q]! -= eta * s1.w * gW[q]!;
  for (let k = 0; k < w; k++) L1.b[k]! -= eta * s1.b * gb[k]!;
  return f;
}
