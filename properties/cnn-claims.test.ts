// The CNN claims at the CI tier (issue 20, part C): the registry's verdicts for linearization.cnn-width,
// fprinciple.filtering.cnn, fprinciple.projection.cnn and fprinciple.filtering.vgg with their rivals. properties/linearization.test.ts and properties/fprinciple.test.ts leave
// these ids to this file, so each claim runs once per `npm test`. Judges: properties/judges/cnn.test.ts; engines:
// properties/engine-cnn.test.ts.
import { cnnFilteringClaims, filteringCnn, projectionCnn } from '../experiments/fprinciple/cnn.ts';
import { cnnWidth, cnnWidthMeanField } from '../experiments/linearization/cnn-width.ts';
import { claims as fprinciple } from '../experiments/fprinciple/index.ts';
import { claims as linearization } from '../experiments/linearization/index.ts';
import { describe, expect, it } from 'vitest';
import { expectVerdicts } from './helpers.ts';

export const CNN_CLAIMS = [cnnWidth, cnnWidthMeanField, ...cnnFilteringClaims];

describe('CNN claims are registered in their families', () => {
  it('every CNN claim is in its family registry, and every rival names its claim', () => {
    const ids = new Set([...fprinciple, ...linearization].map((c) => c.id));
    for (const c of CNN_CLAIMS) expect(ids.has(c.id), c.id).toBe(true);
    for (const c of CNN_CLAIMS.filter((x) => x.control)) expect(CNN_CLAIMS.map((x) => x.id)).toContain(c.rivalOf);
    // Issue 20's last claims: the projection method on the small CNN's runs and the VGG-style stack, each with its rival.
    for (const id of ['fprinciple.projection.cnn', 'fprinciple.filtering.vgg']) {
      expect(CNN_CLAIMS.map((x) => x.id)).toContain(id);
      expect(CNN_CLAIMS.filter((x) => x.rivalOf === id).length, id).toBeGreaterThan(0);
    }
  });
});

describe('fprinciple.projection.cnn analyses fprinciple.filtering.cnn\'s training runs', () => {
  // The two claims' trainings are memoized by these settings (experiments/fprinciple/cnn.ts trainCnn), so in one
  // process the CNN is trained once per seed; a setting changed in one claim only would silently double the CPU.
  const training = (c: Record<string, unknown>) => Object.fromEntries(['replicates', 'perDigit', 'arch', 'channels', 'lr', 'steps', 'recordEvery', 'normalized'].map((k) => [k, c[k]]));
  for (const tier of ['ci', 'full'] as const) {
    it(`${tier} tier: the same training settings`, () => {
      const f = training(filteringCnn.tiers[tier] as unknown as Record<string, unknown>);
      expect(f.perDigit).toBeGreaterThan(0);
      expect(training(projectionCnn.tiers[tier] as unknown as Record<string, unknown>)).toEqual(f);
    });
  }
});

expectVerdicts(CNN_CLAIMS, 'CNN');
