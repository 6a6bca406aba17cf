// Embedding Principle (BRIEF §4): exact properties of the embedding operators, the gradient map V, the exact
// Hessian and the critical-point finder, the `embed` tool, and the family's claims at the CI tier.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tool as embedTool } from '../cli/tools/embed.ts';
import { InputError, mlpToJson, parseMlp } from '../core/formats.ts';
import { rngFromKey } from '../core/rng.ts';
import { claims } from '../experiments/embedding/index.ts';
import { grid1d } from '../experiments/embedding/data.ts';
import { detectPlateaus, judgePlateaus } from '../experiments/embedding/training-plateaus.ts';
import { trainReference } from '../core/engine/reference.ts';
import { findCriticalPoint, gradNorm, hessian, hessianVector, inertia, norm2, spectrum, xentLossGrad } from '../theory/critical.ts';
import {
  alphaTangent,
  copyOutgoingSplit,
  embed,
  embedGrads,
  embedStep,
  splitCurvature,
  splitNeuron,
  splitSubspace,
  type EmbedStep,
} from '../theory/embedding.ts';
import {
  ACTIVATIONS,
  flattenGrads,
  flattenParams,
  forward,
  initMlp,
  layerScales,
  mat,
  mseLossGrad,
  paramCount,
  withParams,
  type Activation,
  type Mat,
  type Mlp,
  type Parameterization,
} from '../theory/mlp.ts';
import { expectVerdicts, FC } from './helpers.ts';

const arch = fc.record({
  hidden: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  dIn: fc.integer({ min: 1, max: 3 }),
  dOut: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  sigmaW: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
  sigmaB: fc.double({ min: 0, max: 1.5, noNaN: true }),
  n: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type Arch = typeof arch extends fc.Arbitrary<infer T> ? T : never;

/** Raw step choices, resolved against the current widths so every generated step is valid. */
const rawSteps = fc.array(
  fc.record({ kind: fc.constantFrom<'split' | 'null'>('split', 'split', 'null'), layer: fc.nat(), neuron: fc.nat(), alpha: fc.double({ min: -3, max: 3, noNaN: true }) }),
  { minLength: 1, maxLength: 3 },
);

function resolve(net: Mlp, raw: { kind: 'split' | 'null'; layer: number; neuron: number; alpha: number }[]): EmbedStep[] {
  const steps: EmbedStep[] = [];
  let cur = net;
  for (const r of raw) {
    const layer = 1 + (r.layer % (cur.layers.length - 1));
    const step: EmbedStep = r.kind === 'split' ? { kind: 'split', layer, neuron: r.neuron % cur.layers[layer - 1]!.nOut, alpha: r.alpha } : { kind: 'null', layer };
    steps.push(step);
    cur = embedStep(cur, step);
  }
  return steps;
}

function build(a: Arch): { net: Mlp; X: Mat; Y: Mat; labels: number[] } {
  const rng = rngFromKey(`embedding-test/${a.seed}`);
  const widths = [a.dIn, ...a.hidden, a.dOut];
  const net = initMlp(widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: a.sigmaW, sigmaB: a.sigmaB }, rng);
  return {
    net,
    X: mat(a.n, a.dIn, rng.normals(a.n * a.dIn, 1.5)),
    Y: mat(a.n, a.dOut, rng.normals(a.n * a.dOut)),
    labels: Array.from({ length: a.n }, () => rng.int(a.dOut)),
  };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function relDiff(a: Float64Array, b: Float64Array): number {
  return norm2(a.map((v, i) => v - b[i]!)) / Math.max(norm2(b), 1e-300);
}

describe('embedding operators (fast-check, float64)', () => {
  it('output preserving: f_{Tθ}(x) = f_θ(x) for compositions of splits and null units, both parameterizations', () => {
    fc.assert(
      fc.property(arch, rawSteps, (a, raw) => {
        const { net, X } = build(a);
        const steps = resolve(net, raw);
        const f0 = forward(net, X).data;
        const f1 = forward(embed(net, steps), X).data;
        const dev = maxAbs(f0.map((v, i) => v - f1[i]!));
        expect(dev).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f0)));
      }),
      FC,
    );
  });

  it('the wide network is wider by exactly one unit per step, the copy last, with the split outgoing weights', () => {
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), fc.double({ min: -3, max: 3, noNaN: true }), (a, l0, j0, alpha) => {
        const { net } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const m = net.layers[layer - 1]!.nOut;
        const j = j0 % m;
        const wide = splitNeuron(net, layer, j, alpha);
        const inc = wide.layers[layer - 1]!;
        const out = wide.layers[layer]!;
        expect(inc.nOut).toBe(m + 1);
        for (let k = 0; k < inc.nIn; k++) expect(inc.W[k * (m + 1) + m]).toBe(net.layers[layer - 1]!.W[k * m + j]);
        expect(inc.b[m]).toBe(net.layers[layer - 1]!.b[j]);
        // Effective outgoing weights (layer scale × stored W): α·w_j on j, (1−α)·w_j on the copy, others unchanged.
        const sN = layerScales(net, m).w;
        const sW = layerScales(wide, m + 1).w;
        const q = out.nOut;
        for (let c = 0; c < q; c++) {
          const w = sN * net.layers[layer]!.W[j * q + c]!;
          expect(sW * out.W[j * q + c]!).toBeCloseTo(alpha * w, 12);
          expect(sW * out.W[m * q + c]!).toBeCloseTo((1 - alpha) * w, 12);
        }
      }),
      FC,
    );
  });

  it('gradient map: ∇L_wide(Tθ) = V∇L_narrow(θ) at any θ, for MSE and softmax cross-entropy', () => {
    fc.assert(
      fc.property(arch, rawSteps, (a, raw) => {
        const { net, X, Y, labels } = build(a);
        const steps = resolve(net, raw);
        const wide = embed(net, steps);
        const mse = relDiff(flattenGrads(mseLossGrad(wide, X, Y).grads), flattenGrads(embedGrads(net, mseLossGrad(net, X, Y).grads, steps)));
        const xent = relDiff(flattenGrads(xentLossGrad(wide, X, labels).grads), flattenGrads(embedGrads(net, xentLossGrad(net, X, labels).grads, steps)));
        expect(mse).toBeLessThanOrEqual(1e-10);
        if (a.dOut > 1) expect(xent).toBeLessThanOrEqual(1e-10);
      }),
      FC,
    );
  });

  it('the copy-outgoing "split" (the control operator) changes the output whenever the unit contributes', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const { net, X } = build({ ...a, activation: 'tanh' });
        const w = net.layers[1]!.W;
        fc.pre(maxAbs(w.subarray(0, net.layers[1]!.nOut)) > 1e-3);
        const dev = maxAbs(forward(copyOutgoingSplit(net, 1, 0), X).data.map((v, i) => v - forward(net, X).data[i]!));
        fc.pre(maxAbs(forward(net, X).data) > 0);
        expect(dev).toBeGreaterThan(1e-12);
      }),
      { ...FC, numRuns: 50 },
    );
  });
});

describe('exact Hessian (R-operator) and critical points', () => {
  it('H·v equals the central difference of the exact gradient (smooth activations, both parameterizations, any depth)', () => {
    // ReLU is excluded: its Hessian is the a.e. one (φ'' = 0), and a difference across a kink is not.
    fc.assert(
      fc.property(arch, fc.constantFrom<Activation>('tanh', 'erf', 'linear'), (a0, activation) => {
        const a = { ...a0, activation };
        const { net, X, Y } = build(a);
        const rng = rngFromKey(`hv/${a.seed}`);
        const P = paramCount(net);
        const v = rng.normals(P);
        const th = flattenParams(net);
        const h = 1e-5;
        const gp = flattenGrads(mseLossGrad(withParams(net, th.map((x, i) => x + h * v[i]!)), X, Y).grads);
        const gm = flattenGrads(mseLossGrad(withParams(net, th.map((x, i) => x - h * v[i]!)), X, Y).grads);
        const fd = gp.map((x, i) => (x - gm[i]!) / (2 * h));
        const hv = hessianVector(net, X, Y, v);
        // Central differences are accurate to O(h²·‖∂³L‖) plus round-off O(ε·‖∇L‖/h).
        expect(norm2(hv.map((x, i) => x - fd[i]!))).toBeLessThanOrEqual(1e-5 * Math.max(1, norm2(fd)));
      }),
      { ...FC, numRuns: 60 },
    );
  });

  let narrow: Mlp;
  let data: { x: Mat; y: Mat };
  let narrowZero: number;
  beforeAll(() => {
    data = grid1d(20, 'sin3');
    const init = initMlp([1, 1, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, rngFromKey('embedding-test/critical'));
    const trained = trainReference({ net: init, x: data.x, y: data.y, optimizer: { kind: 'adam', lr: 0.01 }, steps: 2000, recordEvery: 2000 });
    narrow = findCriticalPoint(trained.final, data.x, data.y).net;
    narrowZero = inertia(spectrum(hessian(narrow, data.x, data.y), paramCount(narrow)).values, 1e-11).zero;
  });

  it('the Newton finder reaches a critical point at float64 round-off (P4.2: ‖∇L‖ < 1e-11)', () => {
    expect(gradNorm(narrow, data.x, data.y)).toBeLessThan(1e-11);
  });

  it('criticality preserved and loss constant along α and along multi-step embeddings', () => {
    const base = mseLossGrad(narrow, data.x, data.y).loss;
    fc.assert(
      fc.property(rawSteps, (raw) => {
        const steps = resolve(narrow, raw);
        const wide = embed(narrow, steps);
        expect(gradNorm(wide, data.x, data.y)).toBeLessThan(1e-9);
        expect(Math.abs(mseLossGrad(wide, data.x, data.y).loss - base)).toBeLessThanOrEqual(1e-14);
      }),
      { ...FC, numRuns: 50 },
    );
  });

  it('zero directions: each split adds a zero Hessian eigenvalue, the α tangent is one, inertia never decreases', () => {
    const narrowInertia = inertia(spectrum(hessian(narrow, data.x, data.y), paramCount(narrow)).values, 1e-11);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 3, noNaN: true }).filter((a) => Math.abs(a) > 0.05 && Math.abs(1 - a) > 0.05), { minLength: 1, maxLength: 3 }), (alphas) => {
        const steps: EmbedStep[] = alphas.map((alpha, i) => ({ kind: 'split', layer: 1, neuron: i, alpha }));
        const wide = embed(narrow, steps);
        const H = hessian(wide, data.x, data.y);
        const eigs = spectrum(H, paramCount(wide)).values;
        const wi = inertia(eigs, 1e-11);
        expect(wi.zero).toBeGreaterThanOrEqual(narrowZero + alphas.length);
        expect(wi.neg).toBeGreaterThanOrEqual(narrowInertia.neg);
        expect(wi.pos).toBeGreaterThanOrEqual(narrowInertia.pos);
        const one = splitNeuron(narrow, 1, 0, alphas[0]!);
        const t = alphaTangent(narrow, 1, 0);
        const Ht = hessianVector(one, data.x, data.y, t);
        expect(norm2(Ht)).toBeLessThanOrEqual(1e-10 * norm2(t) * Math.max(...eigs.map(Math.abs)));
      }),
      { ...FC, numRuns: 25 },
    );
  });

  it('split subspace: Dᵀ H D = α(1−α)/(α²+(1−α)²)·H_s at an embedded critical point', () => {
    const Hs = splitCurvature(narrow, data.x, data.y, 0);
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (alpha) => {
        const wide = splitNeuron(narrow, 1, 0, alpha);
        const D = splitSubspace(narrow, 0, alpha);
        const HD = D.map((d) => hessianVector(wide, data.x, data.y, d));
        const factor = (alpha * (1 - alpha)) / (alpha * alpha + (1 - alpha) * (1 - alpha));
        const scale = maxAbs(Hs);
        D.forEach((di, p) =>
          HD.forEach((hj, q) => {
            const m = di.reduce((s, v, r) => s + v * hj[r]!, 0);
            expect(Math.abs(m - factor * Hs[p * D.length + q]!)).toBeLessThanOrEqual(1e-9 * scale);
          }),
        );
      }),
      { ...FC, numRuns: 50 },
    );
  });
});

describe('embed tool (DESIGN.md contract)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlclaims-embed-'));
  const write = (name: string, v: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(v));
    return p;
  };

  it('returns the split network, output preserved in both parameterizations', () => {
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), fc.double({ min: -3, max: 3, noNaN: true }), (a, l0, j0, alpha) => {
        const { net, X } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const neuron = j0 % net.layers[layer - 1]!.nOut;
        const p = write('net.json', mlpToJson(net));
        const out = embedTool.run(['--net', p, '--layer', String(layer), '--neuron', String(neuron), '--alpha', String(alpha)]) as Record<string, unknown>;
        const wide = parseMlp(JSON.parse(JSON.stringify(out)));
        expect(out.format).toBe('mlp-v1');
        expect(wide.layers[layer - 1]!.nOut).toBe(net.layers[layer - 1]!.nOut + 1);
        const same = (v: Float64Array) => Array.from(v, (x) => x + 0); // JSON has no −0
        expect(same(flattenParams(wide))).toEqual(same(flattenParams(splitNeuron(net, layer, neuron, alpha))));
        const f0 = forward(net, X).data;
        const f1 = forward(wide, X).data;
        expect(maxAbs(f0.map((v, i) => v - f1[i]!))).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f0)));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('refuses bad input with an InputError naming the field', () => {
    const net = initMlp([2, 3, 1], { activation: 'relu', parameterization: 'ntk', sigmaW: 1, sigmaB: 0.1 }, rngFromKey('embed-tool'));
    const p = write('ok.json', mlpToJson(net));
    const cases: [string[], string][] = [
      [['--net', p, '--layer', '2', '--neuron', '0', '--alpha', '0.5'], '--layer'],
      [['--net', p, '--layer', '0', '--neuron', '0', '--alpha', '0.5'], '--layer'],
      [['--net', p, '--layer', '1', '--neuron', '3', '--alpha', '0.5'], '--neuron'],
      [['--net', p, '--layer', '1', '--neuron', '-1', '--alpha', '0.5'], '--neuron'],
      [['--net', p, '--layer', '1', '--neuron', '0', '--alpha', 'nan'], '--alpha'],
      [['--net', p, '--layer', '1.5', '--neuron', '0', '--alpha', '0.5'], '--layer'],
      [['--net', p, '--layer', '1', '--neuron', '0'], '--alpha'],
      [['--net', write('bad.json', { format: 'mlp-v1', activation: 'relu' }), '--layer', '1', '--neuron', '0', '--alpha', '1'], 'net.parameterization'],
      [['--net', write('flat.json', mlpToJson(initMlp([2, 1], { activation: 'relu', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, rngFromKey('flat')))), '--layer', '1', '--neuron', '0', '--alpha', '1'], '--layer'],
    ];
    for (const [argv, field] of cases) {
      let err: unknown;
      try {
        embedTool.run(argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(InputError);
      expect((err as Error).message.startsWith(field), (err as Error).message).toBe(true);
    }
  });
});

expectVerdicts(claims, 'embedding');

describe('training-plateaus judge and plateau detection (synthetic inputs)', () => {
  const flatThenDrop = Array.from({ length: 101 }, (_, i) => ({ step: i * 100, loss: i < 10 ? 0.1 * 0.7 ** i : i < 60 ? 0.003 * (1 - 1e-4 * i) : 0.003 * 0.9 ** (i - 60) }));
  it('detects a flat stretch and nothing in a steadily falling curve', () => {
    const p = detectPlateaus(flatThenDrop);
    expect(p.length).toBe(1);
    expect(p[0]!.start).toBeGreaterThanOrEqual(900);
    expect(p[0]!.end).toBeLessThanOrEqual(6000);
    expect(detectPlateaus(flatThenDrop.map((c, i) => ({ step: c.step, loss: 0.9 ** i })))).toEqual([]);
  });
  const plateau = (criticalLoss: number | null, criticalGrad: number | null) => ({ start: 1000, end: 5000, step: 3000, loss: 0.01, units: 1, criticalLoss, criticalGrad, functionGap: 0, directions: [] });
  const meas = (ps: ReturnType<typeof plateau>[]) => ({ runs: [{ replicate: 0, curve: [], divergedAt: null, plateaus: ps }], narrow: [], linearFitLoss: 0.01 });
  it('holds when plateaus polish to critical points at the plateau loss, fails when not, inconclusive without plateaus', () => {
    expect(judgePlateaus(meas([plateau(0.0101, 1e-15), plateau(0.0099, 1e-14)])).status).toBe('holds');
    expect(judgePlateaus(meas([plateau(0.0101, 1e-3), plateau(0.02, 1e-15)])).status).toBe('fails');
    expect(judgePlateaus(meas([])).status).toBe('inconclusive');
    expect(judgePlateaus({ ...meas([plateau(0.0101, 1e-15)]), runs: [{ replicate: 0, curve: [], divergedAt: 17, plateaus: [] }] }).status).toBe('inconclusive');
  });
});
