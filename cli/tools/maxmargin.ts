// `maxmargin --data D [--loss logistic|exp] [--steps T]`
//   → {"svm":{"w":[...],"margin":m},"gd":{"w":[...],"steps":T,"angleToSvm":rad}}
// Homogeneous linear predictors x ↦ w·x (no bias), labels ±1 (DESIGN.md "Tool contracts"). Conventions:
// - svm.w is the margin-one hard-margin SVM solution ŵ = argmin ‖w‖ s.t. y_i w·x_i ≥ 1; svm.margin = 1/‖ŵ‖,
//   the geometric margin min_i y_i ŵ·x_i/‖ŵ‖.
// - gd.w is w(T) of full-batch GD on the summed loss L(w) = Σ_i ℓ(y_i w·x_i) from w(0) = 0, with
//   ℓ = log(1 + e^(−u)) (logistic, the default) or e^(−u) (exp), and the fixed step (theory/maxmargin.ts
//   `defaultStepSize`, σ = σ_max of the matrix with rows y_i x_i, N points):
//   logistic η = 1/σ² (bound 8/σ²), exp η = 1/(N σ²) (bound 2/(N σ²) on the sublevel set L ≤ N).
// - gd.steps = T (default 100000); gd.angleToSvm = the angle between w(T) and ŵ in radians.
// Data that are not strictly linearly separable through the origin are refused (exit 2), as is T < 1.
import { asArray, asObject, fail, InputError, parseData, readJson } from '../../core/formats.ts';
import { absorbLabels, angleBetween, defaultStepSize, gradientDescent, hardMarginSvm, IllConditionedError, NotSeparableError, type MarginLoss } from '../../theory/maxmargin.ts';
import { LIMITS, parseArgs } from '../args.ts';
import { capPoints, capWork, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

export const DEFAULT_STEPS = 100_000;
const LOSSES: readonly MarginLoss[] = ['logistic', 'exp'];

export function maxmarginTool(data: unknown, opts: { loss?: string; steps?: number } = {}) {
  const loss = (opts.loss ?? 'logistic') as MarginLoss;
  if (!LOSSES.includes(loss)) throw new InputError(`--loss: expected logistic or exp, got "${opts.loss}"`);
  const steps = opts.steps ?? DEFAULT_STEPS;
  if (!Number.isInteger(steps) || steps < 1) throw new InputError(`--steps: expected an integer ≥ 1, got ${steps}`);
  if (steps > LIMITS.steps) throw new InputError(`--steps: ${steps} is over the limit of ${LIMITS.steps}`);
  const yRaw = asArray(asObject(data, 'data').y, 'data.y');
  const { x, y } = parseData(data, 'data', { outputs: 1 });
  capPoints(x.rows, TOOL_LIMITS.maxmarginPoints, 'data.x', 'points per call');
  capWork(steps * x.rows * x.cols, '--steps', 'steps × points × dimension');
  for (let i = 0; i < y.rows; i++) {
    if (y.data[i] !== 1 && y.data[i] !== -1) fail(`data.y[${i}]`, `expected a label +1 or -1, got ${JSON.stringify(yRaw[i])}`);
  }
  // ‖x‖² must neither overflow nor underflow in float64, or σ_max², the SVM and the step size lose meaning.
  let scale = 0;
  for (const v of x.data) scale = Math.max(scale, Math.abs(v));
  if (scale > 0 && (scale > 1e100 || scale < 1e-100)) fail('data.x', `entries must have magnitudes within [1e-100, 1e100] (largest is ${scale.toExponential(2)})`);
  const Z = absorbLabels(x, y.data);
  let svm;
  try {
    svm = hardMarginSvm(Z);
  } catch (e) {
    if (e instanceof NotSeparableError) throw new InputError(`data: ${e.message}; the max-margin problem has no solution`);
    if (e instanceof IllConditionedError) throw new InputError(`data: ${e.message}`);
    throw e;
  }
  const gd = gradientDescent(Z, { loss, eta: defaultStepSize(Z, loss), steps });
  const out = {
    svm: { w: Array.from(svm.w), margin: svm.margin },
    gd: { w: Array.from(gd.w), steps, angleToSvm: angleBetween(gd.w, svm.w) },
  };
  // Inside the step-size bound GD cannot diverge; if rounding ever makes it, say so rather than print NaN.
  if (gd.divergedAt !== null || ![...out.svm.w, out.svm.margin, ...out.gd.w, out.gd.angleToSvm].every(Number.isFinite)) {
    fail('data', `gradient descent left float64's range (step ${gd.divergedAt ?? steps}); rescale the data`);
  }
  return out;
}

export const tool: Tool = {
  usage: `maxmargin --data DATA.json [--loss logistic|exp] [--steps T (default ${DEFAULT_STEPS})]`,
  run(argv) {
    const args = parseArgs(argv, { valued: ['data', 'loss', 'steps'] });
    noPositionals(args);
    const data = readJson(args.need('data'), '--data');
    return maxmarginTool(data, { loss: args.get('loss'), steps: args.intIn('steps', 1, LIMITS.steps) });
  },
};
