// linearization.ntk-gp-ensemble (and its NNGP rival): over independent initializations, networks trained by GD have
// the mean and covariance of the infinite-width NTK-GP (Lee et al. 2019, §2.4 eqs. 13–16 and Fig. 3; brief §3.3;
// neural-tangents `predict.gradient_descent_mse_ensemble`, tested there against 1024 width-128 networks, tolerance 0.08).
//
// CPU-sized version: M independently initialized 1-hidden-layer erf networks of one width (each replicate is one
// network, with its own seeded stream), all trained by full-batch GD on the same data; their outputs at the test points
// and training points at several times are stacked into one vector per network. The ensemble's sample mean and covariance are compared with
// the NTK-GP moments (theory/ntk-gp.ts) by relative Frobenius error. With M networks, even exact GP samples miss the
// moments by a sampling error; so the judge compares each error with its sampling distribution for the same M, from
// `nullDraws` simulated ensembles of M Gaussian samples (a parametric bootstrap): for the mean with the ensemble's own
// covariance, for the covariance with the predicted one.
import { defineClaim, type AnyClaim, type FigureSpec, type RunContext, type Verdict } from '../../core/claim.ts';
import { quantile } from '../../core/stats.ts';
import { initMlp, type Mat } from '../../theory/mlp.ts';
import { gaussianSampler, gpMoments, relFrobenius } from '../../theory/ntk-gp.ts';
import { sampleMomentsSym as sampleMoments } from './moments.ts';
import { memoized, pairedRng as drawsRng } from '../../core/paired.ts';
import { analyticKernels } from '../../theory/ntk-analytic.ts';
import { stackRows, trainAndRecord } from './kernel-run.ts';
import { fmt } from './scaling.ts';
import { makeData } from './wide-run.ts';

export interface NtkEnsembleConfig {
  /** Networks in the ensemble (one independent initialization each). */
  replicates: number;
  width: number;
  /** GD steps at which the outputs are compared (t = 0, the NNGP prior shared by claim and rival, would add only noise). */
  times: number[];
  eta: number;
  d: number;
  nTrain: number;
  nTest: number;
  activation: 'erf';
  sigmaW: number;
  sigmaB: number;
  /** Simulated exact-GP ensembles for the sampling distribution of the errors. */
  nullDraws: number;
  /** The kernel that drives the predicted dynamics: the NTK (the claim) or the NNGP kernel (the rival). */
  kernel: 'ntk' | 'nngp';
  /** The rival: the id of the claim whose data and initializations it uses (core/paired.ts); absent: its own. */
  drawsOf?: string;
}

export interface NtkEnsembleMeasurements {
  times: number[];
  /** Evaluation points per time: the test points, then the training points. */
  nEval: number;
  networks: number;
  /** Diverged networks (non-finite loss); their outputs are not in the moments. */
  diverged: number;
  worstFinalToInitialLoss: number;
  /** Relative Frobenius errors of the ensemble's mean and covariance against the predicted GP moments. */
  meanError: number;
  covError: number;
  /** The same errors for `nullDraws` simulated exact-GP ensembles of the same size: sorted ascending. */
  nullMeanErrors: number[];
  nullCovErrors: number[];
  /** For the figure: per (time, evaluation point) the ensemble mean and the GP mean and standard deviation. */
  ensembleMean: number[];
  gpMean: number[];
  gpSd: number[];
}

// "holds": both errors within the 99% sampling quantile of an exact-GP ensemble of the same size (the interval that
// accounts for M; neural-tangents asserts 0.08 with 1024 networks, where sampling error is about 3× smaller than here).
const HOLDS_QUANTILE = 0.99;
// "fails": an error more than 1.5× that quantile. Under the exact GP the relative errors concentrate (the largest of
// the simulated errors stayed within 1.45× the 99% quantile in 18 × 200 trial ensembles), so such an excess is no sampling accident.
const FAILS_FACTOR = 1.5;

function run(cfg: NtkEnsembleConfig, ctx: RunContext): NtkEnsembleMeasurements {
  const rng = drawsRng(ctx, cfg.drawsOf);
  const data = makeData(rng(0, 'data'), cfg.d, cfg.nTrain, cfg.nTest);
  const spec = { activation: cfg.activation, sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB };
  // Evaluation points: the test points, then the training points (the NTK and NNGP dynamics differ most there).
  const evalPoints = stackRows(data.Xtest, data.X);
  const k = analyticKernels({ ...spec, depth: 1 }, stackRows(evalPoints, data.X));
  const nEval = evalPoints.rows;
  const gp = gpMoments(k[cfg.kernel], k.nngp, nEval, data.Y, { eta: cfg.eta, times: cfg.times, mode: 'gd' });
  const p = nEval * cfg.times.length;
  // The trained ensemble depends on the draws and the training setting only, not on the kernel judged against it.
  const key = JSON.stringify(['ntk-gp-ensemble', ctx.masterSeed, cfg.drawsOf ?? ctx.claimId, ctx.replicates, cfg.width, cfg.times, cfg.eta, cfg.d, cfg.nTrain, cfg.nTest, spec]);
  const { rows, diverged, worst } = memoized(key, () => {
    const rows: Float64Array[] = [];
    let diverged = 0;
    let worst = 0;
    let done = 0;
    for (const r of ctx.replicates) {
      const net = initMlp([cfg.d, cfg.width, 1], { ...spec, parameterization: 'ntk' }, rng(r, 'init'));
      const tr = trainAndRecord(net, data, cfg.eta, cfg.times);
      if (tr.divergedAt !== null) diverged++;
      else {
        worst = Math.max(worst, tr.lossEnd / tr.loss0);
        const row = new Float64Array(p);
        tr.t.forEach((_, tau) => {
          row.set(tr.test[tau]!, tau * nEval);
          row.set(tr.train[tau]!, tau * nEval + cfg.nTest);
        });
        rows.push(row);
      }
      ctx.progress(++done, ctx.replicates.length);
    }
    return { rows, diverged, worst };
  });
  const M = rows.length;
  const sample: Mat = { rows: M, cols: p, data: new Float64Array(M * p) };
  rows.forEach((row, s) => sample.data.set(row, s * p));
  const ens = M >= 2 ? sampleMoments(sample) : null;
  const nullRng = ctx.rng(0, 'null');
  const nullMean: number[] = [];
  const nullCov: number[] = [];
  // The mean of M Gaussian draws is exactly N(μ, C/M); its sampling error is set by the networks' own spread (as a
  // t-test uses the sample sd), so C is the ensemble's covariance. The covariance's error is simulated under the
  // hypothesis: M draws from the predicted GP.
  const drawMean = ens ? gaussianSampler(gp.mean, { ...ens.cov, data: ens.cov.data.map((c) => c / M) }) : null;
  const drawFromGp = gaussianSampler(gp.mean, gp.cov);
  for (let b = 0; b < cfg.nullDraws && drawMean; b++) {
    nullMean.push(relFrobenius(drawMean(1, nullRng).data, gp.mean));
    nullCov.push(relFrobenius(sampleMoments(drawFromGp(M, nullRng)).cov.data, gp.cov.data));
  }
  return {
    times: cfg.times,
    nEval,
    networks: M,
    diverged,
    worstFinalToInitialLoss: worst,
    meanError: ens ? relFrobenius(ens.mean, gp.mean) : NaN,
    covError: ens ? relFrobenius(ens.cov.data, gp.cov.data) : NaN,
    nullMeanErrors: nullMean.sort((a, b) => a - b),
    nullCovErrors: nullCov.sort((a, b) => a - b),
    ensembleMean: ens ? Array.from(ens.mean) : [],
    gpMean: Array.from(gp.mean),
    gpSd: Array.from({ length: p }, (_, i) => Math.sqrt(Math.max(gp.cov.data[i * p + i]!, 0))),
  };
}

function judge(m: NtkEnsembleMeasurements, cfg: NtkEnsembleConfig): Verdict {
  const kernelName = cfg.kernel === 'nngp' ? 'NNGP-kernel GP' : 'NTK-GP';
  if (m.diverged > 0) {
    return { status: 'inconclusive', reason: `${m.diverged} of ${m.diverged + m.networks} networks diverged (non-finite loss)`, metrics: { diverged: m.diverged } };
  }
  if (m.networks < 2 || m.nullMeanErrors.length === 0 || !Number.isFinite(m.meanError) || !Number.isFinite(m.covError)) {
    return { status: 'inconclusive', reason: 'too few networks or simulated ensembles to compare moments', metrics: { networks: m.networks } };
  }
  const qMean = quantile(m.nullMeanErrors, HOLDS_QUANTILE);
  const qCov = quantile(m.nullCovErrors, HOLDS_QUANTILE);
  const excessMean = m.meanError / qMean;
  const excessCov = m.covError / qCov;
  const metrics = {
    networks: m.networks,
    meanRelError: m.meanError,
    covRelError: m.covError,
    meanRelErrorNull99: qMean,
    covRelErrorNull99: qCov,
    meanRelErrorNullMedian: quantile(m.nullMeanErrors, 0.5),
    covRelErrorNullMedian: quantile(m.nullCovErrors, 0.5),
    meanExcess: excessMean,
    covExcess: excessCov,
    worstFinalToInitialLoss: m.worstFinalToInitialLoss,
  };
  const status = excessMean <= 1 && excessCov <= 1 ? 'holds' : excessMean > FAILS_FACTOR || excessCov > FAILS_FACTOR ? 'fails' : 'inconclusive';
  return {
    status,
    reason:
      `over ${m.networks} networks the relative error of the mean is ${fmt(m.meanError)} and of the covariance ${fmt(m.covError)} ` +
      `against the ${kernelName} moments; an exact GP ensemble of the same size gives at most ${fmt(qMean)} and ${fmt(qCov)} ` +
      `(99% sampling quantiles, ${m.nullMeanErrors.length} simulated ensembles), ratios ${fmt(excessMean, 2)} and ${fmt(excessCov, 2)}; ` +
      `"holds" needs both ratios ≤ 1, "fails" either above ${FAILS_FACTOR}.`,
    metrics,
  };
}

function figures(m: NtkEnsembleMeasurements, _v: Verdict, cfg: NtkEnsembleConfig): Record<string, FigureSpec> {
  const kernelName = cfg.kernel === 'nngp' ? 'NNGP-kernel GP' : 'NTK-GP';
  const shown = Math.min(3, cfg.nTest);
  const values: Record<string, number | string>[] = [];
  const bands: Record<string, number | string>[] = [];
  m.times.forEach((t, tau) => {
    for (let i = 0; i < shown; i++) {
      const q = tau * m.nEval + i;
      const point = `test point ${i + 1}`;
      if (m.ensembleMean.length) values.push({ step: t, output: m.ensembleMean[q]!, source: `ensemble mean (${m.networks} networks)`, point });
      values.push({ step: t, output: m.gpMean[q]!, source: `${kernelName} mean`, point });
      bands.push({ step: t, lo: m.gpMean[q]! - m.gpSd[q]!, hi: m.gpMean[q]! + m.gpSd[q]!, point });
    }
  });
  const x = { field: 'step', type: 'quantitative', title: 'GD step' };
  const color = { field: 'point', type: 'nominal', title: 'test point' };
  return {
    moments: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Ensemble of trained networks vs ${kernelName} (band: ±1 predicted sd over initializations)`,
      width: 420,
      height: 280,
      layer: [
        { data: { values: bands }, mark: { type: 'area', opacity: 0.12 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'output' }, y2: { field: 'hi' }, color } },
        {
          data: { values },
          mark: { type: 'line', point: true },
          encoding: { x, y: { field: 'output', type: 'quantitative' }, color, strokeDash: { field: 'source', type: 'nominal', title: 'series' } },
        },
      ],
    },
  };
}

// Erf (the analytic kernel exists), one hidden layer, W_std 1.2, b_std 0.05 as neural-tangents' predict tests; d = 8,
// 8 training and 6 test points; η = 2 (λ_max(Θ)/n ≈ 0.45 here, critical step ≈ 4.4); times 2–32 span the fit.
const base = {
  times: [2, 8, 32],
  eta: 2,
  d: 8,
  nTrain: 8,
  nTest: 6,
  activation: 'erf' as const,
  sigmaW: 1.2,
  sigmaB: 0.05,
  nullDraws: 400,
};

const source = {
  paper: 'Lee, Xiao, Schoenholz, Bahri, Novak, Sohl-Dickstein, Pennington 2019, Wide neural networks of any depth evolve as linear models under gradient descent',
  arxiv: '1902.06720',
  where: '§2.4 eqs. 13–16, Fig. 3 (ensemble mean and variance vs the NTK-GP); neural-tangents gradient_descent_mse_ensemble; brief §3.3',
};

export const ntkEnsemble: AnyClaim = defineClaim<NtkEnsembleConfig, NtkEnsembleMeasurements>({
  id: 'linearization.ntk-gp-ensemble',
  title: 'An ensemble of GD-trained wide networks has the NTK-GP mean and covariance',
  statement:
    'Over independent initializations, 1-hidden-layer erf networks (NTK parameterization) trained by full-batch GD on MSE ' +
    'have, at training and test points and at several times, the mean M_t·Y and covariance K + M_t K M_tᵀ − M_t K − K M_tᵀ of the ' +
    'infinite-width NTK-GP (M_t = Θ_xX Θ⁻¹(I − (I − ηΘ/n)^t)), up to the sampling error of a finite ensemble.',
  source,
  // neural-tangents uses 1024 networks of width 128 (tolerance 0.08); the CI tier uses 96 of width 256 and an interval
  // for 96 networks, the full tier 512 of width 512.
  tiers: {
    ci: { ...base, replicates: 192, width: 128, kernel: 'ntk' },
    full: { ...base, replicates: 512, width: 512, kernel: 'ntk' },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});

export const ntkEnsembleNngp: AnyClaim = defineClaim<NtkEnsembleConfig, NtkEnsembleMeasurements>({
  id: 'linearization.ntk-gp-ensemble-nngp',
  title: 'Rival: the NNGP-kernel GP (readout-only training) does not describe the ensemble',
  statement:
    'The same ensemble (the claim\'s very networks: same data and initializations) compared with the GP whose dynamics are driven by the NNGP kernel K in place of Θ (the posterior ' +
    'of training the readout alone, "sample-then-optimize"): its mean and covariance must NOT match.',
  source: { ...source, where: 'rival control; Lee et al. 2019 §2.4 (NTK-GP vs NNGP posterior); brief §3.3' },
  control: true,
  rivalOf: 'linearization.ntk-gp-ensemble',
  tiers: {
    // The claim's own networks (core/paired.ts): the rival differs from the claim only in the kernel.
    ci: { ...base, replicates: 192, width: 128, kernel: 'nngp', drawsOf: 'linearization.ntk-gp-ensemble' },
    full: { ...base, replicates: 512, width: 512, kernel: 'nngp', drawsOf: 'linearization.ntk-gp-ensemble' },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});

// Measured (CI tier). Calibration master seeds 1–20 (the 99% quantile and the 1.5× margin were fixed beforehand from
// simulated exact-GP ensembles, not moved): the claim held 20/20 (ratio to the 99% sampling quantile at most 0.85 for
// the mean and 0.76 for the covariance); the NNGP rival failed 20/20 (mean ratio 1.84…3.96; the covariance alone does
// not separate the two GPs at M = 192, ratios 0.84…1.66, so the mean carries the rival's rejection). At width 256 with
// 96 networks the mean ratio of the rival was only ≈ 1.6, hence 192 networks of width 128 (neural-tangents' width).
// Since the rival judges the claim's own ensemble (core/paired.ts; trained once when both run in one process): at the
// default seed mean ratio 2.54, covariance ratio 1.07 → fails; master seeds 1–20 fail 20/20, audit seeds 20261124–43
// fail 20/20 (flake-lin.json).
