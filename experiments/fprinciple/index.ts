// Claims of the fprinciple family (BRIEF §1; issue 3). One module per experiment; this file lists them for the registry.
// Measured on the 2-core dev machine (float64 reference engine), CI tier, CPU seconds per claim:
//   1d 12.5 (at 3000 steps; now 6000, so about twice that), image-2d 14.6, projection 6.6 (trains the MNIST runs
//   that filtering then reuses), filtering 0.5,
//   non-gradient 4.9, the two controls 1.2 each.
// Full tier, wall seconds under load from other jobs: 1d 316, image-2d 185, projection + filtering 341 (shared runs),
//   non-gradient 403, controls 3 and 5.
import type { AnyClaim } from '../../core/claim.ts';
import { filtering, projection } from './highdim.ts';
import { image2d } from './image2d.ts';
import { nonGradient } from './nongradient.ts';
import { highFeatureControl, oned, reversedControl } from './oned.ts';

export const claims: AnyClaim[] = [oned, image2d, projection, filtering, nonGradient, highFeatureControl, reversedControl];
