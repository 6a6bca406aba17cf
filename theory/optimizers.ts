// Optimizers that are not gradient descent, for the F-Principle beyond GD (Ma, Xu, Zhang 2021, arXiv:2101.00747):
// BFGS (quasi-Newton), nonlinear conjugate gradient, Powell's derivative-free direction-set method, and particle swarm
// optimization. Float64.
// Each calls onIter(iteration, bestX) after every iteration so experiments can record the fitted function.
import type { Rng } from '../core/rng.ts';

export type Objective = (x: Float64Array) => number;
export type Gradient = (x: Float64Array) => { f: number; g: Float64Array };
export type OnIter = (iter: number, x: Float64Array, f: number) => void;

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/**
 * BFGS with an inverse-Hessian estimate H (Nocedal & Wright, Alg. 6.1) and a backtracking Armijo line search.
 * The update is skipped when the curvature condition sᵀy > 0 fails, which keeps H positive definite.
 */
export function bfgs(fg: Gradient, x0: Float64Array, opts: { iters: number; onIter?: OnIter }): { x: Float64Array; f: number } {
  const n = x0.length;
  let x: Float64Array = x0.slice();
  let { f, g } = fg(x);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1;
  opts.onIter?.(0, x, f);
  for (let it = 1; it <= opts.iters; it++) {
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s -= H[i * n + j]! * g[j]!;
      p[i] = s;
    }
    let slope = dot(p, g);
    if (!(slope < 0)) {
      // H lost descent (round-off): restart from the identity.
      H.fill(0);
      for (let i = 0; i < n; i++) H[i * n + i] = 1;
      for (let i = 0; i < n; i++) p[i] = -g[i]!;
      slope = dot(p, g);
    }
    let a = 1;
    let xn = x;
    let next = { f, g };
    for (let tries = 0; tries < 40; tries++) {
      xn = x.map((v, i) => v + a * p[i]!);
      next = fg(xn);
      if (Number.isFinite(next.f) && next.f <= f + 1e-4 * a * slope) break;
      a /= 2;
    }
    if (!(next.f <= f)) break; // no progress possible along a descent direction: converged to round-off
    const s = xn.map((v, i) => v - x[i]!);
    const y = next.g.map((v, i) => v - g[i]!);
    const sy = dot(s, y);
    if (sy > 1e-12) {
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, expanded: H − ρ(s·(Hy)ᵀ + (Hy)·sᵀ) + (ρ² yᵀHy + ρ) s sᵀ
      const rho = 1 / sy;
      const Hy = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let j = 0; j < n; j++) t += H[i * n + j]! * y[j]!;
        Hy[i] = t;
      }
      const yHy = dot(y, Hy);
      const c = rho * rho * yHy + rho;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j]! += -rho * (s[i]! * Hy[j]! + Hy[i]! * s[j]!) + c * s[i]! * s[j]!;
    }
    x = xn;
    f = next.f;
    g = next.g;
    opts.onIter?.(it, x, f);
  }
  return { x, f };
}

/**
 * Nonlinear conjugate gradient, Polak–Ribière+ (Nocedal & Wright eq. 5.44–5.45): d ← −g + β d with
 * β = max(0, gᵀ(g − g_prev)/‖g_prev‖²), restarted at −g whenever d is not a descent direction. Step length by
 * backtracking (Armijo, c = 1e-4) from the previous accepted step (first try 1), at most 40 halvings, or doubling
 * while the value keeps falling when the first trial is accepted (a crude bracketing line search).
 */
export function conjugateGradient(fg: Gradient, x0: Float64Array, opts: { iters: number; onIter?: OnIter }): { x: Float64Array; f: number } {
  let x: Float64Array = x0.slice();
  let { f, g } = fg(x);
  let d = g.map((v) => -v);
  let a0 = 1;
  opts.onIter?.(0, x, f);
  for (let it = 1; it <= opts.iters; it++) {
    let slope = dot(d, g);
    if (!(slope < 0)) {
      d = g.map((v) => -v);
      slope = dot(d, g);
    }
    let a = a0;
    let xn = x;
    let next = { f, g };
    let tries = 0;
    for (; tries < 40; tries++) {
      xn = x.map((v, i) => v + a * d[i]!);
      next = fg(xn);
      if (Number.isFinite(next.f) && next.f <= f + 1e-4 * a * slope) break;
      a /= 2;
    }
    // The first trial was accepted: double the step while the value keeps falling (at most 20 doublings), so a
    // step that shrank on a hard stretch can grow back (CG's directions carry no natural scale).
    for (let grow = 0; tries === 0 && grow < 20; grow++) {
      const xt = x.map((v, i) => v + 2 * a * d[i]!);
      const t = fg(xt);
      if (!(Number.isFinite(t.f) && t.f < next.f && t.f <= f + 2e-4 * a * slope)) break;
      a *= 2;
      xn = xt;
      next = t;
    }
    if (!(next.f < f)) break; // no decrease along a descent direction: converged to round-off
    const gg = dot(g, g);
    const beta = gg > 0 ? Math.max(0, (dot(next.g, next.g) - dot(next.g, g)) / gg) : 0;
    d = next.g.map((v, i) => -v + beta * d[i]!);
    a0 = a;
    x = xn;
    f = next.f;
    g = next.g;
    opts.onIter?.(it, x, f);
  }
  return { x, f };
}

/**
 * Powell's conjugate-direction method (Powell 1964): sweep line minimizations along a set of directions (initially
 * the coordinate axes), then replace the direction of largest decrease by the sweep's net displacement. Line
 * minimization by successive parabolic interpolation through three points (derivative-free).
 */
export function powell(f: Objective, x0: Float64Array, opts: { iters: number; step?: number; onIter?: OnIter }): { x: Float64Array; f: number } {
  const n = x0.length;
  const dirs: Float64Array[] = Array.from({ length: n }, (_, i) => {
    const d = new Float64Array(n);
    d[i] = 1;
    return d;
  });
  const steps = new Float64Array(n).fill(opts.step ?? 0.1);
  let x: Float64Array = x0.slice();
  let fx = f(x);
  opts.onIter?.(0, x, fx);
  for (let it = 1; it <= opts.iters; it++) {
    const start = x.slice();
    const fStart = fx;
    let bestDrop = 0;
    let bestDir = 0;
    for (let q = 0; q < n; q++) {
      const r = lineMin(f, x, fx, dirs[q]!, steps[q]!);
      steps[q] = r.step;
      if (fx - r.f > bestDrop) {
        bestDrop = fx - r.f;
        bestDir = q;
      }
      x = r.x;
      fx = r.f;
    }
    const disp = x.map((v, i) => v - start[i]!);
    const len = Math.hypot(...disp);
    if (len > 0 && fStart - fx > 0) {
      // Powell's rule: the net displacement of the sweep becomes a direction (normalized), replacing the best one.
      const d = disp.map((v) => v / len);
      const r = lineMin(f, x, fx, d, len);
      x = r.x;
      fx = r.f;
      dirs[bestDir] = d;
      steps[bestDir] = r.step;
    }
    opts.onIter?.(it, x, fx);
  }
  return { x, f: fx };
}

/** One derivative-free line minimization: parabola through f(x−h d), f(x), f(x+h d), vertex clipped to ±4h. */
function lineMin(f: Objective, x: Float64Array, fx: number, d: Float64Array, h: number): { x: Float64Array; f: number; step: number } {
  const at = (t: number) => x.map((v, i) => v + t * d[i]!);
  const fp = f(at(h));
  const fm = f(at(-h));
  const curv = fp + fm - 2 * fx;
  // No positive curvature: step 4h to the lower side (the minus side on a tie, so a flat stretch is still probed).
  let t = curv > 0 ? (h * (fm - fp)) / (2 * curv) : fp < fm ? 4 * h : -4 * h;
  t = Math.max(-4 * h, Math.min(4 * h, t));
  const cands: [number, number][] = [
    [0, fx],
    [h, fp],
    [-h, fm],
  ];
  if (t !== 0 && t !== h && t !== -h) cands.push([t, f(at(t))]);
  let best = cands[0]!;
  for (const c of cands) if (Number.isFinite(c[1]) && c[1] < best[1]) best = c;
  // Adapt the trial step: grow when the minimum lies far out, shrink when staying put.
  const next = best[0] === 0 ? h * 0.5 : Math.min(Math.max(Math.abs(best[0]), h * 0.5), h * 4);
  return { x: best[0] === 0 ? x : at(best[0]), f: best[1], step: Math.max(next, 1e-8) };
}

/**
 * Global-best particle swarm (Kennedy & Eberhart 1995, with inertia weight, Shi & Eberhart 1998):
 * v ← w v + c1 r1 (p − x) + c2 r2 (g − x); x ← x + v. Particles start at `init()` draws.
 */
export function particleSwarm(
  f: Objective,
  init: () => Float64Array,
  rng: Rng,
  opts: { particles: number; iters: number; inertia?: number; c1?: number; c2?: number; onIter?: OnIter },
): { x: Float64Array; f: number } {
  const w = opts.inertia ?? 0.7298; // Clerc's constriction values
  const c1 = opts.c1 ?? 1.49618;
  const c2 = opts.c2 ?? 1.49618;
  const xs = Array.from({ length: opts.particles }, init);
  const n = xs[0]!.length;
  const vs = xs.map(() => new Float64Array(n));
  const pb = xs.map((x) => x.slice());
  const pf = xs.map((x) => f(x));
  let gi = 0;
  for (let i = 1; i < pf.length; i++) if (pf[i]! < pf[gi]!) gi = i;
  let g = pb[gi]!.slice();
  let gf = pf[gi]!;
  opts.onIter?.(0, g, gf);
  for (let it = 1; it <= opts.iters; it++) {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const v = vs[i]!;
      const p = pb[i]!;
      for (let q = 0; q < n; q++) {
        v[q] = w * v[q]! + c1 * rng.uniform() * (p[q]! - x[q]!) + c2 * rng.uniform() * (g[q]! - x[q]!);
        x[q]! += v[q]!;
      }
      const fx = f(x);
      if (fx < pf[i]!) {
        pf[i] = fx;
        pb[i] = x.slice();
        if (fx < gf) {
          gf = fx;
          g = x.slice();
        }
      }
    }
    opts.onIter?.(it, g, gf);
  }
  return { x: g, f: gf };
}
