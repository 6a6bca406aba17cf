// Two small claims used only to test the report machinery (not in the registry): the sample mean of
// Gaussian draws converges like n^(-1/2) (the central limit rate), and its control, Cauchy draws, whose sample
// mean does not converge at all (it is again standard Cauchy for every n).
import { defineClaim, estimate, type BaseConfig } from '../../core/claim.ts';
import { logLogFit, median } from '../../core/stats.ts';

interface Cfg extends BaseConfig {
  sizes: number[];
  law: 'gauss' | 'cauchy';
}

function makeToy(id: string, law: Cfg['law'], control: boolean) {
  return defineClaim<Cfg, { sizes: number[]; errors: number[] }>({
    id,
    title: `Sample mean of ${law} draws converges like n^(-1/2)`,
    statement: 'The median absolute error of the sample mean over replicates scales as n^(-1/2).',
    source: { paper: 'Central limit theorem (test fixture)' },
    control,
    // Heavy tails are the rival explanation of a slow mean: the same judge on Cauchy draws must fail.
    ...(control ? { rivalOf: 'toy.gauss-mean-rate' } : {}),
    tiers: { ci: { replicates: 40, sizes: [16, 64, 256, 1024], law }, full: { replicates: 200, sizes: [16, 64, 256, 1024, 4096], law } },
    tolerance: { rel: 1e-5, metrics: { slope: { abs: 0.05 } } },
    run(cfg, ctx) {
      const errors = cfg.sizes.map((n, k) => {
        const errs = ctx.replicates.map((r) => {
          const rng = ctx.rng(r, `n${n}`);
          let s = 0;
          for (let i = 0; i < n; i++) s += cfg.law === 'gauss' ? rng.normal() : Math.tan(Math.PI * (rng.uniform() - 0.5));
          return Math.abs(s / n);
        });
        ctx.progress(k + 1, cfg.sizes.length);
        return median(errs);
      });
      return { sizes: cfg.sizes, errors };
    },
    judge(m) {
      const fit = logLogFit(m.sizes, m.errors);
      // CLT: exponent −1/2; the interval must contain it and exclude 0.
      const ok = fit.ci.lo <= -0.5 && -0.5 <= fit.ci.hi && fit.ci.hi < 0;
      return {
        status: ok ? 'holds' : 'fails',
        reason: `fitted exponent ${fit.slope.toFixed(3)} [${fit.ci.lo.toFixed(3)}, ${fit.ci.hi.toFixed(3)}] ${ok ? 'contains' : 'does not fit'} −1/2`,
        metrics: { slope: estimate(fit.slope, fit.ci.lo, fit.ci.hi), errors: m.errors },
      };
    },
    figures(m) {
      return {
        'error-vs-n': {
          width: 240,
          height: 160,
          title: 'median |sample mean| vs n',
          data: { values: m.sizes.map((n, i) => ({ n, error: m.errors[i] })) },
          mark: { type: 'line', point: true },
          encoding: { x: { field: 'n', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'error', type: 'quantitative', scale: { type: 'log' } } },
        },
      };
    },
  });
}

export const toyClaims = [makeToy('toy.gauss-mean-rate', 'gauss', false), makeToy('toy.cauchy-mean-rate', 'cauchy', true)];
