// Float64 reference convolutional network in the `cnn-v1` format of DESIGN.md ("Tool contracts").
//
// A point is one flat row of H·W·C numbers, row-major in (H, W, C) order (channel fastest); a batch is a Mat n×(H·W·C).
// conv: cross-correlation z[i,j,o] = s_w·Σ_{a,b,c} h[i·s+a−p_top, j·s+b−p_left, c]·W[a][b][c][o] + s_b·b[o], with
//   (s_w, s_b) = (1, 1) standard or (sigmaW/√(kh·kw·cin), sigmaB) NTK; "same" pads with zeros as TensorFlow does
//   (out = ceil(in/s), total = max((out−1)·s + k − in, 0), before = floor(total/2)); "valid" does not pad
//   (out = floor((in − k)/s) + 1, refused below 1).
// avgpool / maxpool: k×k windows, stride k, no padding, out = floor(in/k); they act on activated values.
// dense: z = s_w·h·W + s_b·b (as mlp-v1); after a conv or pool it flattens its input in (H, W, C) order.
// The activation follows every conv and dense layer except the last layer, which must be dense and is linear.
import type { Activation, Parameterization } from './mlp.ts';

export interface ConvLayer {
  type: 'conv';
  kh: number;
  kw: number;
  cin: number;
  cout: number;
  /** [kh][kw][cin][cout], row-major. */
  W: Float64Array;
  b: Float64Array;
  stride: number;
  padding: 'same' | 'valid';
}

export interface PoolLayer {
  type: 'avgpool' | 'maxpool';
  size: number;
}

export interface DenseLayer {
  type: 'dense';
  nIn: number;
  nOut: number;
  /** nIn×nOut, row-major (mlp-v1's convention). */
  W: Float64Array;
  b: Float64Array;
}

export type CnnLayer = ConvLayer | PoolLayer | DenseLayer;

export interface Cnn {
  activation: Activation;
  parameterization: Parameterization;
  sigmaW: number;
  sigmaB: number;
  /** [H, W, C] of one input point. */
  input: [number, number, number];
  layers: CnnLayer[];
}

/** The shape a layer sees or produces: a feature map [H, W, C], or a flat vector after a dense layer. */
export type Shape = { kind: 'map'; h: number; w: number; c: number } | { kind: 'flat'; n: number };
