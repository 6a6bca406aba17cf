// The embedding.cnn-channel-split judge on synthetic measurements (nothing trains here): the bounds of BRIEF §4.4 P4.2
// (narrow ‖∇L‖ ≤ 1e-11 to be used, wide ‖∇L‖ ≤ 1e-9) and P4.1 (output and loss unchanged to 1e-12 relative), just
// inside and just outside each, non-finite values, and too few narrow critical points.
import { describe, expect, it } from 'vitest';
import { judgeCnnSplit, type CnnSplitMeasurements, type CnnSplitRun, type WideResult } from '../../experiments/embedding/cnn-split.ts';

const wide = (over: Partial<WideResult> = {}): WideResult => ({ label: 'conv 1, channel 0, α=0.3', outDev: 1e-16, lossDev: 1e-16, gradNorm: 1e-16, ...over });
const run = (over: Partial<CnnSplitRun> = {}, wides: WideResult[] = [wide(), wide()]): CnnSplitRun => ({
  arch: 'conv-dense',
  replicate: 0,
  attempts: 1,
  params: 10,
  newtonIterations: 5,
  loss: 0.04,
  trainedGradNorm: 1e-4,
  gradNorm: 1e-16,
  wide: wides,
  ...over,
});
const m = (runs: CnnSplitRun[]): CnnSplitMeasurements => ({ runs });

describe('embedding.cnn-channel-split judge', () => {
  it('holds with every bound met, including exactly on it', () => {
    expect(judgeCnnSplit(m([run(), run()])).status).toBe('holds');
    const edge = judgeCnnSplit(m([run({ gradNorm: 1e-11 }, [wide({ gradNorm: 1e-9, outDev: 1e-12, lossDev: 1e-12 })])]));
    expect(edge.status).toBe('holds');
  });

  it('fails when one widened point is just above a bound or not finite', () => {
    for (const bad of [{ gradNorm: 1.0001e-9 }, { outDev: 1.0001e-12 }, { lossDev: 1.0001e-12 }, { gradNorm: NaN }, { outDev: Infinity }, { lossDev: NaN }]) {
      const v = judgeCnnSplit(m([run(), run({}, [wide(), wide(bad)])]));
      expect(v.status, JSON.stringify(bad)).toBe('fails');
    }
    const v = judgeCnnSplit(m([run({}, [wide({ gradNorm: 2e-9 }), wide()])]));
    expect(v.reason).toContain('1 of 2 widened points are not critical');
  });

  it('uses only narrow points with ‖∇L‖ ≤ 1e-11 (a wide point of an unused run cannot fail it) and needs at least half of them', () => {
    const unused = run({ gradNorm: 1.0001e-11 }, [wide({ gradNorm: 1 })]);
    const v = judgeCnnSplit(m([run(), unused]));
    expect(v.status).toBe('holds');
    expect(v.metrics.narrowPointsUsed).toBe(1);
    expect(judgeCnnSplit(m([run(), unused, unused])).status).toBe('inconclusive');
    expect(judgeCnnSplit(m([run({ gradNorm: NaN }), run({ gradNorm: NaN })])).status).toBe('inconclusive');
  });
});
