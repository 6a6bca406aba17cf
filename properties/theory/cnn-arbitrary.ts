// Random small CNNs for the fast-check properties of theory/cnn.ts and the CNN embedding operators: input 1–7 × 1–7
// × 1–3, up to three conv/pool layers (kernels 1–3, strides 1–3, both paddings, both pools; a layer that does not
// fit its input is dropped), an optional hidden dense layer, a dense head; every activation, both parameterizations.
import fc from 'fast-check';
import { rngFromKey } from '../../core/rng.ts';
import { cnnInputDim, initCnn, type CnnLayerSpec, type CnnSpec } from '../../theory/cnn.ts';
import { ACTIVATIONS, type Activation, type Mat, type Parameterization } from '../../theory/mlp.ts';

const rawLayer = fc.oneof(
  fc.record({
    type: fc.constant('conv' as const),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    cout: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 3 }),
    padding: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
  }),
  fc.record({ type: fc.constantFrom<'avgpool' | 'maxpool'>('avgpool', 'maxpool'), size: fc.integer({ min: 1, max: 3 }) }),
);

export const archArb = fc.record({
  h: fc.integer({ min: 1, max: 7 }),
  w: fc.integer({ min: 1, max: 7 }),
  c: fc.integer({ min: 1, max: 3 }),
  body: fc.array(rawLayer, { minLength: 1, maxLength: 3 }),
  hidden: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  nOut: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  seed: fc.integer({ min: 0, max: 1e6 }),
  n: fc.integer({ min: 1, max: 3 }),
});
export type Arch = typeof archArb extends fc.Arbitrary<infer T> ? T : never;

/** Keeps the layers that fit (a "valid" kernel or a window larger than its input is dropped). */
export function specOf(a: Arch, over: Partial<Pick<Arch, 'activation' | 'nOut'>> = {}): CnnSpec {
  let h = a.h;
  let w = a.w;
  const layers: CnnLayerSpec[] = [];
  for (const l of a.body) {
    if (l.type === 'conv') {
      if (l.padding === 'valid' && (l.kh > h || l.kw > w)) continue;
      h = l.padding === 'same' ? Math.ceil(h / l.stride) : Math.floor((h - l.kh) / l.stride) + 1;
      w = l.padding === 'same' ? Math.ceil(w / l.stride) : Math.floor((w - l.kw) / l.stride) + 1;
      layers.push(l);
    } else {
      if (l.size > h || l.size > w) continue;
      h = Math.floor(h / l.size);
      w = Math.floor(w / l.size);
      layers.push(l);
    }
  }
  if (a.hidden !== undefined) layers.push({ type: 'dense', nOut: a.hidden });
  layers.push({ type: 'dense', nOut: over.nOut ?? a.nOut });
  return { activation: over.activation ?? a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.4, input: [a.h, a.w, a.c], layers };
}

export function build(a: Arch, over: Partial<Pick<Arch, 'activation' | 'nOut'>> = {}) {
  const rng = rngFromKey(`cnn-test/${a.seed}`);
  const net = initCnn(specOf(a, over), rng);
  const d = cnnInputDim(net);
  const X: Mat = { rows: a.n, cols: d, data: rng.normals(a.n * d) };
  return { net, X, rng };
}

