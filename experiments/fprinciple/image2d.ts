// fprinciple.image-2d (A2-2 §1.4 Fig. 1.7; dlphenomena f-principle: "coarse to detailed"): an MLP from a pixel
// coordinate (x, y) to its grey level, fitted to a small image, reduces the error of low radial-frequency bands of
// the image's 2-D DFT before that of high bands.
import { readFileSync } from 'node:fs';
import { defineClaim } from '../../core/claim.ts';
import { getEngine } from '../../core/engine/index.ts';
import { bandErrors, dft2d, radialFrequencies } from '../../theory/fourier.ts';
import { forward, initMlp, mat, type Mat } from '../../theory/mlp.ts';
import { errorCurves, errorHeatmap, imageRow } from './figures.ts';
import { judgeOrder, type OrderMeasurements, type OrderRun, type OrderRule } from './order.ts';
import { lookupTableRun, recordedSteps } from './rivals.ts';

interface Fixture {
  rows: number;
  cols: number;
  pixels: number[];
}

export function loadDigit(): Fixture {
  return JSON.parse(readFileSync(new URL('../../fixtures/fprinciple/digit-14x14.json', import.meta.url), 'utf8')) as Fixture;
}

interface ConfigImg {
  replicates: number;
  hidden: number[];
  lr: number;
  steps: number;
  recordEvery: number;
  /** Radial band edges in cycles per image: band b is edges[b] < |k| ≤ edges[b+1]. */
  edges: number[];
}

interface MeasImg extends OrderMeasurements {
  rows: number;
  cols: number;
  target: number[];
  snaps: { step: number; pixels: number[] }[];
}

// A band counts as learned when its relative DFT error stays below 0.2 (80% of the band's amplitude reproduced) until
// every judged band is; the paper reports the order qualitatively (steps 80 → 2000 → 58000), so only the order is
// judged, in every seed. Every judged band must be learned within the budget. Bands: |k| ≤ 1, 1 < |k| ≤ 2,
// 2 < |k| ≤ 3 cycles per image. Deviation: the paper fits the whole image (58000 steps); at a CI budget the shells
// beyond 3 cycles per image are not fitted (measured at 4000 steps, master seed 20261123: relative errors 0.07 at
// 4 < |k| ≤ 5, 0.39 at 5 < |k| ≤ 6, 0.29–0.42 beyond), so they are not judged; the claim covers coarse-to-fine up to
// 3 cycles per image. Calibration (3 runs, master seeds 20261123 and 1): settling steps 80–120, 320–960, 760–1420.
const RULE_IMG: OrderRule = { threshold: 0.2, minFraction: 1 };

/** Pixel coordinates in [−1, 1]² (row-major), grey levels, the target's 2-D DFT and each bin's radial frequency. */
function imageSetup(): { img: Fixture; rows: number; cols: number; X: Mat; Y: Mat; F: ReturnType<typeof dft2d>; radial: Float64Array } {
  const img = loadDigit();
  const { rows, cols } = img;
  const X = mat(rows * cols, 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      X.data[2 * (r * cols + c)] = -1 + (2 * c) / (cols - 1);
      X.data[2 * (r * cols + c) + 1] = 1 - (2 * r) / (rows - 1);
    }
  }
  const Y = mat(rows * cols, 1, Float64Array.from(img.pixels));
  return { img, rows, cols, X, Y, F: dft2d(img.pixels, rows, cols), radial: radialFrequencies(rows, cols) };
}

const bandLabels = (edges: number[]) => edges.slice(1).map((e, b) => (b === 0 ? `|k|≤${e}` : `${edges[b]}<|k|≤${e}`));

export const image2d = defineClaim<ConfigImg, MeasImg>({
  id: 'fprinciple.image-2d',
  title: 'F-Principle in 2-D: an image is learned coarse to fine',
  statement:
    'A tanh MLP from pixel coordinates to grey level, fitted with Adam to a 14×14 MNIST digit, brings the relative error of the 2-D DFT in the radial band |k| ≤ 1 cycle per image below 0.2 (to stay) before the band 1 < |k| ≤ 2, and that before 2 < |k| ≤ 3. (The paper fits the whole image over 58000 steps; the finer shells are not fitted within a CI budget and are not judged.)',
  source: {
    paper: 'Xu, Zhang, Luo, Xiao, Ma (2019), Frequency Principle: Fourier analysis sheds light on deep neural networks',
    arxiv: '1901.06523',
    where: 'image regression, lecture notes A2-2 §1.4 Fig. 1.7; dlphenomena f-principle figure',
  },
  tiers: {
    // CI budget 2400 steps: 1.7× the slowest fit-complete step seen (1420).
    ci: { replicates: 2, hidden: [32, 32], lr: 3e-3, steps: 2400, recordEvery: 20, edges: [0, 1, 2, 3] },
    full: { replicates: 5, hidden: [32, 32], lr: 3e-3, steps: 4000, recordEvery: 20, edges: [0, 1, 2, 3] },
  },
  // Settling steps move by a record or two between engines (float32 vs float64); errors by a few percent.
  tolerance: { rel: 0.1, abs: 0.02, metrics: { settlingSteps: { rel: 0.25, abs: 20 }, fitCompleteStep: { rel: 0.25, abs: 20 } } },
  async run(cfg, ctx) {
    const { img, rows, cols, X, Y, F, radial } = imageSetup();
    const engine = await getEngine();
    const runs: OrderRun[] = [];
    let snaps: MeasImg['snaps'] = [];
    for (const seed of ctx.replicates) {
      const net = initMlp([2, ...cfg.hidden, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, ctx.rng(seed, 'init'));
      const res = await engine.train({ net, x: X, y: Y, optimizer: { kind: 'adam', lr: cfg.lr }, steps: cfg.steps, recordEvery: cfg.recordEvery });
      const err = cfg.edges.slice(1).map(() => [] as (number | null)[]);
      for (const rec of res.records) bandErrors(dft2d(rec.outputs, rows, cols), F, radial, cfg.edges).forEach((e, b) => err[b]!.push(e));
      runs.push({ seed, steps: res.records.map((r) => r.step), err, loss: res.records.map((r) => r.loss), divergedAt: res.divergedAt ?? null });
      if (seed === ctx.replicates[0]) {
        const want = [cfg.steps / 30, cfg.steps / 6, cfg.steps / 2, cfg.steps];
        snaps = want.map((s) => {
          const rec = res.records.reduce((best, r) => (Math.abs(r.step - s) < Math.abs(best.step - s) ? r : best));
          return { step: rec.step, pixels: Array.from(rec.outputs, (v) => Math.round(v * 1e3) / 1e3) };
        });
      }
      ctx.progress(seed + 1, ctx.replicates.length);
    }
    return { bands: bandLabels(cfg.edges), runs, rows, cols, target: img.pixels, snaps };
  },
  judge: (m) => judgeOrder(m, RULE_IMG, 'radial frequency'),
  figures: (m) => ({
    reconstructions: imageRow(
      [{ label: 'target', pixels: m.target }, ...m.snaps.map((s) => ({ label: `step ${s.step}`, pixels: s.pixels }))],
      m.rows,
      m.cols,
      `Network output on the pixel grid during training (seed ${m.runs[0]!.seed})`,
    ),
    heatmap: errorHeatmap(m.runs[0]!, m.bands, 'Relative DFT error per radial band over training (red = small)', 'band error'),
    curves: errorCurves(m.runs, m.bands, 'Relative DFT error per radial band (dashed: threshold 0.2)', RULE_IMG.threshold, 'band error'),
  }),
});

export const image2dLookupRival = defineClaim<ConfigImg, MeasImg>({
  id: 'fprinciple.image-2d.rival-lookup-table',
  title: 'Rival: a lookup-table model (no frequency bias) on the image',
  statement:
    'One free grey level per pixel, started at the network\'s initial output and trained by gradient descent (closed form), shrinks every radial band\'s error at one rate; the image judge must not say "holds".',
  source: { ...image2d.source, where: 'rival of fprinciple.image-2d (research/claim-power-audit.md: a model with no frequency bias)' },
  control: true,
  rivalOf: 'fprinciple.image-2d',
  tiers: image2d.tiers,
  tolerance: image2d.tolerance,
  run(cfg, ctx) {
    const { img, rows, cols, X, F, radial } = imageSetup();
    const steps = recordedSteps(cfg.steps, cfg.recordEvery);
    const runs: OrderRun[] = [];
    let snaps: MeasImg['snaps'] = [];
    for (const seed of ctx.replicates) {
      const net = initMlp([2, ...cfg.hidden, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, ctx.rng(seed, 'init'));
      const r = lookupTableRun(seed, steps, forward(net, X).data, img.pixels, (h) => bandErrors(dft2d(h, rows, cols), F, radial, cfg.edges));
      runs.push(r.run);
      if (seed === ctx.replicates[0]) {
        snaps = [cfg.steps / 30, cfg.steps / 6, cfg.steps / 2, cfg.steps].map((s) => {
          const q = Math.round(s / cfg.recordEvery);
          return { step: steps[q]!, pixels: Array.from(r.outputs[q]!, (v) => Math.round(v * 1e3) / 1e3) };
        });
      }
    }
    return { bands: bandLabels(cfg.edges), runs, rows, cols, target: img.pixels, snaps };
  },
  judge: (m) => judgeOrder(m, RULE_IMG, 'radial frequency'),
  figures: (m, v, c) => image2d.figures!(m, v, c),
});
