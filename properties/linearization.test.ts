// Linearized wide networks and the NTK: exact properties of the analytic kernels, the empirical NTK, the closed-form
// linearized dynamics and the `ntk` tool, then the family's claims at the CI tier (brief §3, P3.1–P3.3).
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, mlpToJson } from '../core/formats.ts';
import { rngFromKey } from '../core/rng.ts';
import { tool as ntkTool } from '../cli/tools/ntk.ts';
import { claims } from '../experiments/linearization/index.ts';
import { analyticLimit } from '../experiments/linearization/analytic-limit.ts';
import { prefixMlp } from '../experiments/linearization/prefix.ts';
import { bandStatus } from '../experiments/linearization/scaling.ts';
import { twoLayerStepper, type WideRun } from '../experiments/linearization/wide-run.ts';
import { widthScaling } from '../experiments/linearization/width-scaling.ts';
import { linearOutputs, linearizedDynamics, maxStableStep, stepLinearModel, symEig } from '../theory/linearized.ts';
import { activate, activateDeriv, forward, initMlp, mat, matFromRows, mseLossGrad, type Activation, type Mat, type Mlp, type Parameterization } from '../theory/mlp.ts';
import { analyticKernels, type AnalyticActivation } from '../theory/ntk-analytic.ts';
import { empiricalNtk, gramAB } from '../theory/ntk.ts';
import { FC, expectVerdicts } from './helpers.ts';

const FEW = { ...FC, numRuns: 30 } as const;


function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe('analytic NNGP/NTK (neural-tangents stax conventions)', () => {
  it('reproduces the golden values of ANCHORS C2 (fixtures/linearization/analytic-kernels.json)', () => {
    const fx = JSON.parse(readFileSync(new URL('../fixtures/linearization/analytic-kernels.json', import.meta.url), 'utf8'));
    for (const c of fx.cases as { activation: AnalyticActivation; sigmaW: number; u: number[]; nngp: number[]; ntk: number[] }[]) {
      const X1 = matFromRows([[1, 0]]);
      const X2 = matFromRows(c.u.map((u) => [u, Math.sqrt(Math.max(0, 1 - u * u))]));
      const k = analyticKernels({ activation: c.activation, depth: 1, sigmaW: c.sigmaW, sigmaB: 0 }, X1, X2);
      c.u.forEach((_, i) => {
        expect(Math.abs(k.nngp.data[i]! - c.nngp[i]!)).toBeLessThan(6e-7);
        expect(Math.abs(k.ntk.data[i]! - c.ntk[i]!)).toBeLessThan(6e-7);
      });
    }
  });

  const kernelCase = fc.record({
    activation: fc.constantFrom<AnalyticActivation>('relu', 'erf'),
    depth: fc.integer({ min: 0, max: 4 }),
    sigmaW: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
    sigmaB: fc.double({ min: 0, max: 1, noNaN: true }),
    n: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });

  it('NNGP and NTK matrices are symmetric and positive semi-definite', () => {
    fc.assert(
      fc.property(kernelCase, (c) => {
        const X = mat(c.n, c.d, rngFromKey(`psd/${c.seed}`).normals(c.n * c.d));
        const k = analyticKernels(c, X);
        for (const K of [k.nngp, k.ntk]) {
          const scale = maxAbs(K.data) || 1;
          for (let i = 0; i < c.n; i++) for (let j = 0; j < c.n; j++) expect(Math.abs(K.data[i * c.n + j]! - K.data[j * c.n + i]!)).toBeLessThanOrEqual(1e-12 * scale);
          expect(Math.min(...symEig(K).values)).toBeGreaterThanOrEqual(-1e-10 * scale);
        }
      }),
      FC,
    );
  });

  it('the cross kernel K(X1, X2) is the off-diagonal block of K([X1; X2])', () => {
    fc.assert(
      fc.property(kernelCase, fc.integer({ min: 1, max: 4 }), (c, m) => {
        const rng = rngFromKey(`block/${c.seed}`);
        const X1 = mat(c.n, c.d, rng.normals(c.n * c.d));
        const X2 = mat(m, c.d, rng.normals(m * c.d));
        const both = mat(c.n + m, c.d, Float64Array.from([...X1.data, ...X2.data]));
        const cross = analyticKernels(c, X1, X2);
        const full = analyticKernels(c, both);
        for (let i = 0; i < c.n; i++)
          for (let j = 0; j < m; j++) {
            const f = (K: Mat) => K.data[i * (c.n + m) + c.n + j]!;
            expect(Math.abs(cross.nngp.data[i * m + j]! - f(full.nngp))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(f(full.nngp))));
            expect(Math.abs(cross.ntk.data[i * m + j]! - f(full.ntk))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(f(full.ntk))));
          }
      }),
      FEW,
    );
  });

  it('one hidden layer equals a Monte-Carlo estimate of σw²E[φ(u)φ(v)] + σb² (and of the NTK) within 4 standard errors', () => {
    fc.assert(
      fc.property(kernelCase, (c) => {
        const rng = rngFromKey(`mc/${c.seed}`);
        const X = mat(2, c.d, rng.normals(2 * c.d));
        const k = analyticKernels({ ...c, depth: 1 }, X);
        // First Dense: (u, v) ~ N(0, Σ) with Σ = σw²·x·x'/d + σb².
        const dot = (i: number, j: number) => {
          let s = 0;
          for (let q = 0; q < c.d; q++) s += X.data[i * c.d + q]! * X.data[j * c.d + q]!;
          return (c.sigmaW ** 2 * s) / c.d + c.sigmaB ** 2;
        };
        const [q1, q2, c12] = [dot(0, 0), dot(1, 1), dot(0, 1)];
        const a = Math.sqrt(q1);
        const b = a > 0 ? c12 / a : 0;
        const e = Math.sqrt(Math.max(q2 - b * b, 0));
        const S = 20000;
        const phiPhi = new Float64Array(S);
        const dphiDphi = new Float64Array(S);
        for (let s = 0; s < S; s++) {
          const g1 = rng.normal();
          const g2 = rng.normal();
          const u = a * g1;
          const v = b * g1 + e * g2;
          phiPhi[s] = activate(c.activation, u) * activate(c.activation, v);
          dphiDphi[s] = activateDeriv(c.activation, u) * activateDeriv(c.activation, v);
        }
        const stats = (xs: Float64Array) => {
          const m = xs.reduce((p, x) => p + x, 0) / S;
          const v = xs.reduce((p, x) => p + (x - m) ** 2, 0) / (S - 1);
          return { m, se: Math.sqrt(v / S) };
        };
        const pp = stats(phiPhi);
        const dd = stats(dphiDphi);
        const w2 = c.sigmaW ** 2;
        const nngpMc = w2 * pp.m + c.sigmaB ** 2;
        // Θ = K_out + σw²·Θ_1·E[φ'φ'], Θ_1 = Σ (first layer's NTK equals its NNGP).
        const ntkMc = nngpMc + w2 * c12 * dd.m;
        const ntkSe = Math.sqrt((w2 * pp.se) ** 2 + (w2 * c12 * dd.se) ** 2);
        expect(Math.abs(k.nngp.data[1]! - nngpMc)).toBeLessThanOrEqual(4 * w2 * pp.se + 1e-12);
        expect(Math.abs(k.ntk.data[1]! - ntkMc)).toBeLessThanOrEqual(4 * ntkSe + 1e-12);
      }),
      { ...FC, numRuns: 20 },
    );
  });
});

describe('empirical NTK', () => {
  // Smooth activations only: central differences straddle ReLU's kink (ReLU is covered by the backprop-based
  // Jacobian check in properties/mlp.test.ts).
  const arch = fc.record({
    widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    activation: fc.constantFrom<Activation>('tanh', 'erf', 'linear'),
    parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
    seed: fc.integer({ min: 0, max: 1e6 }),
    n1: fc.integer({ min: 1, max: 3 }),
    n2: fc.integer({ min: 1, max: 3 }),
  });

  it('Θ(X1, X2) equals the product of brute-force finite-difference Jacobians of forward(), both parameterizations', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const rng = rngFromKey(`fd/${a.seed}`);
        const widths = [...a.widths, 1];
        const net = initMlp(widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.4 }, rng);
        const d = widths[0]!;
        const X1 = mat(a.n1, d, rng.normals(a.n1 * d));
        const X2 = mat(a.n2, d, rng.normals(a.n2 * d));
        const jac = (X: Mat) => {
          const J: number[][] = Array.from({ length: X.rows }, () => []);
          const h = 1e-5;
          for (const layer of net.layers)
            for (const arr of [layer.W, layer.b])
              for (let q = 0; q < arr.length; q++) {
                const keep = arr[q]!;
                arr[q] = keep + h;
                const up = forward(net, X).data;
                arr[q] = keep - h;
                const dn = forward(net, X).data;
                arr[q] = keep;
                for (let i = 0; i < X.rows; i++) J[i]!.push((up[i]! - dn[i]!) / (2 * h));
              }
          return mat(X.rows, J[0]!.length, Float64Array.from(J.flat()));
        };
        const brute = gramAB(jac(X1), jac(X2));
        const K = empiricalNtk(net, X1, X2);
        const scale = 1 + maxAbs(brute.data);
        expect(maxAbsDiff(K.data, brute.data)).toBeLessThanOrEqual(1e-6 * scale);
      }),
      FEW,
    );
  });
});

describe('closed-form linearized dynamics', () => {
  const problem = fc.record({
    n: fc.integer({ min: 1, max: 8 }),
    m: fc.integer({ min: 1, max: 4 }),
    p: fc.integer({ min: 1, max: 30 }),
    frac: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    steps: fc.integer({ min: 0, max: 60 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  const build = (c: { n: number; m: number; p: number; seed: number }) => {
    const rng = rngFromKey(`lin/${c.seed}`);
    const J = mat(c.n, c.p, rng.normals(c.n * c.p, 1 / Math.sqrt(c.p)));
    const Jx = mat(c.m, c.p, rng.normals(c.m * c.p, 1 / Math.sqrt(c.p)));
    return { J, Jx, f0: rng.normals(c.n), f0x: rng.normals(c.m), y: rng.normals(c.n) };
  };

  it('discrete GD: Y + (I − ηΘ/N_y)^t (f0 − Y) and the test/weight forms equal stepping f0 + Jω (P3.2, 1e-10 relative)', () => {
    fc.assert(
      fc.property(problem, (c) => {
        const { J, Jx, f0, f0x, y } = build(c);
        const theta = gramAB(J, J);
        const eta = c.frac * maxStableStep(theta);
        const dyn = linearizedDynamics(theta, f0, y, { eta, mode: 'gd' });
        const omega = stepLinearModel(J, f0, y, { eta, steps: c.steps });
        const check = (got: Float64Array, want: Float64Array) => expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-10 * (1 + maxAbs(want)));
        check(dyn.train(c.steps), linearOutputs(J, f0, omega));
        check(dyn.test(gramAB(Jx, J), f0x, c.steps), linearOutputs(Jx, f0x, omega));
        check(dyn.weights(J, c.steps), omega);
      }),
      FC,
    );
  });

  it('gradient flow: Y + exp(−ηΘt/N_y)(f0 − Y) equals a scaling-and-squaring matrix-exponential oracle', () => {
    const expm = (A: Mat): Mat => {
      // exp(A) = (exp(A/2^s))^(2^s), with an 18-term Taylor series for the scaled matrix.
      const n = A.rows;
      const norm = maxAbs(A.data) * n;
      const s = Math.max(0, Math.ceil(Math.log2(norm + 1e-300)) + 1);
      const B = mat(n, n, A.data.map((v) => v / 2 ** s));
      let term = mat(n, n, new Float64Array(n * n));
      for (let i = 0; i < n; i++) term.data[i * n + i] = 1;
      const sum = mat(n, n, term.data.slice());
      for (let k = 1; k <= 18; k++) {
        const next = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) next[i * n + j]! += term.data[i * n + q]! * B.data[q * n + j]! / k;
        term = mat(n, n, next);
        for (let q = 0; q < n * n; q++) sum.data[q]! += next[q]!;
      }
      let R = sum;
      for (let k = 0; k < s; k++) {
        const next = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) next[i * n + j]! += R.data[i * n + q]! * R.data[q * n + j]!;
        R = mat(n, n, next);
      }
      return R;
    };
    fc.assert(
      fc.property(problem, fc.double({ min: 0, max: 30, noNaN: true }), (c, t) => {
        const { J, f0, y } = build(c);
        const theta = gramAB(J, J);
        const eta = 0.7;
        const E = expm(mat(c.n, c.n, theta.data.map((v) => (-eta * t * v) / c.n)));
        const want = Float64Array.from(y, (yi, i) => {
          let s = 0;
          for (let j = 0; j < c.n; j++) s += E.data[i * c.n + j]! * (f0[j]! - y[j]!);
          return yi + s;
        });
        const got = linearizedDynamics(theta, f0, y, { eta, mode: 'flow' }).train(t);
        expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-9 * (1 + maxAbs(want)));
      }),
      FEW,
    );
  });
});

describe('width-ladder helpers', () => {
  it('one step of the specialised 1-hidden-layer GD equals θ − η·∇L from theory/mlp.ts mseLossGrad', () => {
    fc.assert(
      fc.property(
        fc.record({
          d: fc.integer({ min: 1, max: 4 }),
          w: fc.integer({ min: 1, max: 9 }),
          n: fc.integer({ min: 1, max: 5 }),
          activation: fc.constantFrom<Activation>('tanh', 'relu', 'erf', 'linear'),
          parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        (c) => {
          const rng = rngFromKey(`step/${c.seed}`);
          const net = initMlp([c.d, c.w, 1], { activation: c.activation, parameterization: c.parameterization, sigmaW: 1.5, sigmaB: 0.3 }, rng);
          const X = mat(c.n, c.d, rng.normals(c.n * c.d));
          const y = rng.normals(c.n);
          const { grads } = mseLossGrad(net, X, mat(c.n, 1, y));
          const want = net.layers.map((l, i) => ({ W: l.W.map((v, q) => v - 0.3 * grads[i]!.W[q]!), b: l.b.map((v, q) => v - 0.3 * grads[i]!.b[q]!) }));
          const stepper = twoLayerStepper(net, X);
          expect(maxAbsDiff(stepper.outputs(), forward(net, X).data)).toBeLessThanOrEqual(1e-12);
          stepper.gdStep(y, 0.3);
          net.layers.forEach((l, i) => {
            expect(maxAbsDiff(l.W, want[i]!.W)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(want[i]!.W)));
            expect(maxAbsDiff(l.b, want[i]!.b)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(want[i]!.b)));
          });
        },
      ),
      FC,
    );
  });

  it('a prefix network at full width is the network itself, and narrower prefixes keep the leading units', () => {
    const rng = rngFromKey('prefix');
    const big: Mlp = initMlp([3, 6, 5, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.2, sigmaB: 0.2 }, rng);
    const X = mat(4, 3, rng.normals(12));
    expect(maxAbsDiff(forward(prefixMlp(big, [6, 5]), X).data, forward(big, X).data)).toBe(0);
    const small = prefixMlp(big, [2, 3]);
    expect(small.layers.map((l) => [l.nIn, l.nOut])).toEqual([[3, 2], [2, 3], [3, 1]]);
    expect(small.layers[1]!.W[1 * 3 + 2]).toBe(big.layers[1]!.W[1 * 5 + 2]);
  });

  it('bandStatus: holds inside the band around the prediction, fails far from it, inconclusive when too noisy', () => {
    expect(bandStatus({ value: -0.95, lo: -1.1, hi: -0.8 }, [-1.4, -0.6], -1)).toBe('holds');
    expect(bandStatus({ value: -0.1, lo: -0.3, hi: 0.1 }, [-1.4, -0.6], -1)).toBe('fails');
    expect(bandStatus({ value: -0.9, lo: -2, hi: 0.2 }, [-1.4, -0.6], -1)).toBe('inconclusive');
    expect(bandStatus({ value: -0.7, lo: -0.8, hi: -0.65 }, [-1.4, -0.6], -1)).toBe('inconclusive');
  });
});

describe('claim judges on synthetic measurements', () => {
  const cfg = widthScaling.tiers.ci;
  const fakeRun = (width: number, gap: number, extra: Partial<WideRun> = {}): WideRun => ({
    width,
    alpha: 1,
    divergedAt: null,
    loss0: 1,
    lossEnd: 1e-5,
    rmseEnd: gap,
    supRmse: gap,
    supRmseTrain: gap,
    supRmseTest: gap,
    relDeltaW1: 1 / Math.sqrt(width),
    relDeltaV: 1 / Math.sqrt(width),
    relDeltaNtk: 1 / width,
    trace: { t: [0], trainNet: [0], trainLin: [0], testNet: [0], testLin: [0] },
    ...extra,
  });
  const ladder = (gap: (w: number, r: number) => number, extra: Partial<WideRun> = {}) => ({
    runs: [0, 1, 2, 3].map((r) => cfg.widths.map((w: number) => fakeRun(w, gap(w, r), extra))),
  });

  it('width-scaling: a 1/width gap holds, a reversed (growing) gap fails, a divergence or an untrained net is inconclusive', () => {
    expect(widthScaling.judge(ladder((w, r) => (1 + 0.05 * r) / w), cfg).status).toBe('holds');
    expect(widthScaling.judge(ladder((w, r) => (1 + 0.05 * r) * w * 1e-4), cfg).status).toBe('fails');
    expect(widthScaling.judge(ladder((w) => 1 / w, { divergedAt: 17 }), cfg).status).toBe('inconclusive');
    expect(widthScaling.judge(ladder((w) => 1 / w, { lossEnd: 0.5 }), cfg).status).toBe('inconclusive');
  });

  it('analytic-limit: errors ∝ width^(−1/2) hold, flat errors fail', () => {
    const acfg = analyticLimit.tiers.ci;
    const m = (p: number) => ({
      widths: acfg.widths,
      errors: acfg.settings.map(() => [0, 1, 2, 3].map((r) => acfg.widths.map((w: number) => (1 + 0.1 * r) * w ** p * (1 + 0.01 * Math.sin(w + r))))),
    });
    expect(analyticLimit.judge(m(-0.5), acfg).status).toBe('holds');
    expect(analyticLimit.judge(m(0), acfg).status).toBe('fails');
  });
});

describe('ntk tool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlclaims-ntk-'));
  const write = (name: string, v: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(v));
    return p;
  };
  const rng = rngFromKey('ntk-tool');
  const X = mat(4, 3, rng.normals(12));
  const pts = write('x.json', { x: Array.from({ length: 4 }, (_, i) => Array.from(X.data.subarray(i * 3, i * 3 + 3))) });

  it('--analytic returns the NNGP and NTK of theory/ntk-analytic.ts; the empirical form returns empiricalNtk', async () => {
    const out = (await ntkTool.run(['--analytic', '--activation', 'erf', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.05', '--x', pts])) as { nngp: number[][]; ntk: number[][] };
    const k = analyticKernels({ activation: 'erf', depth: 2, sigmaW: 1.5, sigmaB: 0.05 }, X);
    expect(out.ntk.flat()).toEqual(Array.from(k.ntk.data));
    expect(out.nngp.flat()).toEqual(Array.from(k.nngp.data));
    const net = initMlp([3, 7, 1], { activation: 'relu', parameterization: 'ntk', sigmaW: 1.4, sigmaB: 0.1 }, rng);
    const e = (await ntkTool.run(['--net', write('net.json', mlpToJson(net)), '--x', pts])) as { ntk: number[][] };
    expect(e.ntk.flat()).toEqual(Array.from(empiricalNtk(net, X).data));
  });

  it('refuses bad input with an InputError naming the field', async () => {
    const vec = initMlp([3, 2, 2], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0 }, rng);
    const cases: [string[], RegExp][] = [
      [['--analytic', '--activation', 'tanh', '--depth', '1', '--sigma-w', '1', '--sigma-b', '0', '--x', pts], /--activation/],
      [['--analytic', '--activation', 'relu', '--sigma-w', '1', '--sigma-b', '0', '--x', pts], /--depth/],
      [['--analytic', '--activation', 'relu', '--depth', '-1', '--sigma-w', '1', '--sigma-b', '0', '--x', pts], /--depth/],
      [['--analytic', '--activation', 'relu', '--depth', '1', '--sigma-b', '0', '--x', pts], /--sigma-w/],
      [['--net', write('vec.json', mlpToJson(vec)), '--x', pts], /net\.layers\[1\]\.W/],
      [['--net', write('bad.json', { format: 'mlp-v1' }), '--x', pts], /net\.activation/],
    ];
    for (const [argv, re] of cases) {
      let err: unknown;
      try {
        await ntkTool.run(argv);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect(String((err as Error).message)).toMatch(re);
    }
  });
});

expectVerdicts(claims, 'linearization');
