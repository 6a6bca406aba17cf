// The sample mean and covariance of theory/ntk-gp.ts sampleMoments, computed on one triangle: the covariance's (i, j)
// and (j, i) entries are sums of the same products (d_i·d_j = d_j·d_i exactly in floating point) over the same samples
// in the same order, so mirroring the upper triangle is bit-identical and halves the work. linearization.ntk-gp-ensemble
// calls it 400 times per run for its simulated ensembles (properties/linearization-moments.test.ts checks equality).
import type { Mat } from '../../theory/mlp.ts';

export function sampleMomentsSym(samples: Mat): { mean: Float64Array; cov: Mat } {
  const { rows: M, cols: p } = samples;
  if (M < 2) throw new Error(`a sample covariance needs at least 2 samples, got ${M}`);
  const x = samples.data;
  const mean = new Float64Array(p);
  for (let s = 0; s < M; s++) for (let i = 0; i < p; i++) mean[i] = mean[i]! + x[s * p + i]! / M;
  const dev = new Float64Array(M * p);
  for (let s = 0; s < M; s++) for (let i = 0; i < p; i++) dev[s * p + i] = x[s * p + i]! - mean[i]!;
  const cov = new Float64Array(p * p);
  const m1 = M - 1;
  for (let s = 0; s < M; s++) {
    const o = s * p;
    for (let i = 0; i < p; i++) {
      const di = dev[o + i]!;
      const row = i * p;
      for (let j = i; j < p; j++) cov[row + j] = cov[row + j]! + (di * dev[o + j]!) / m1;
    }
  }
  for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) cov[j * p + i] = cov[i * p + j]!;
  return { mean, cov: { rows: p, cols: p, data: cov } };
}
