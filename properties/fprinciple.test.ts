// Frequency Principle family: the ordering judge on synthetic trajectories and every claim's CI-tier verdict.
// The exact properties of the Fourier tools and optimizers are in properties/theory/{fourier,optimizers}.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claims } from '../experiments/fprinciple/index.ts';
import { judgeOrder, reverseBands, type OrderMeasurements, type OrderRule } from '../experiments/fprinciple/order.ts';
import { expectVerdicts, FC } from './helpers.ts';

describe('ordering judge (experiments/fprinciple/order.ts)', () => {
  const RULE: OrderRule = { threshold: 0.1, minFraction: 1, allowUnreached: false };
  // Band b decays like exp(−rate_b·t): a trajectory in which the bands converge in the order of their rates.
  const synthetic = (rates: number[][], steps = 200): OrderMeasurements => ({
    bands: rates[0]!.map((_, b) => `b${b}`),
    runs: rates.map((rs, seed) => {
      const ts = Array.from({ length: steps + 1 }, (_, t) => t);
      return { seed, steps: ts, err: rs.map((r) => ts.map((t) => Math.exp(-r * t))), loss: ts.map(() => 0), divergedAt: null };
    }),
  });
  const decreasing = fc.array(fc.tuple(fc.double({ min: 0.5, max: 1, noNaN: true }), fc.double({ min: 0.2, max: 0.4, noNaN: true }), fc.double({ min: 0.03, max: 0.1, noNaN: true })), { minLength: 1, maxLength: 5 });

  it('holds when low bands converge first, and fails on the same trajectory with its bands reversed', () => {
    fc.assert(
      fc.property(decreasing, (rates) => {
        const m = synthetic(rates.map((r) => [...r]));
        return judgeOrder(m, RULE).status === 'holds' && judgeOrder(reverseBands(m), RULE).status === 'fails';
      }),
      FC,
    );
  });

  it('is inconclusive when training diverged or the lowest band never converged', () => {
    const m = synthetic([[0.5, 0.2, 0.05]]);
    expect(judgeOrder({ ...m, runs: m.runs.map((r) => ({ ...r, divergedAt: 7 })) }, RULE).status).toBe('inconclusive');
    expect(judgeOrder(synthetic([[0.001, 0.2, 0.05]]), RULE).status).toBe('inconclusive');
  });

  it('a band that never converges counts as last only when the rule allows it; two unreached bands are not ordered', () => {
    const m = synthetic([[0.5, 0.2, 0.001]]);
    expect(judgeOrder(m, RULE).status).toBe('inconclusive');
    expect(judgeOrder(m, { ...RULE, allowUnreached: true }).status).toBe('holds');
    expect(judgeOrder(synthetic([[0.5, 0.001, 0.001]]), { ...RULE, allowUnreached: true }).status).toBe('fails');
  });

  it('a required ratio t_last/t_prev is enforced', () => {
    const m = synthetic([[0.5, 0.2, 0.15]]);
    expect(judgeOrder(m, RULE).status).toBe('holds');
    expect(judgeOrder(m, { ...RULE, minLastRatio: 2 }).status).toBe('fails');
  });
});

expectVerdicts(claims, 'fprinciple');
