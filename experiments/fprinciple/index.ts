// Claims of the fprinciple family (BRIEF §1; issue 3). One module per experiment; this file lists them for the registry.
import type { AnyClaim } from '../../core/claim.ts';
import { filtering, projection } from './highdim.ts';
import { image2d } from './image2d.ts';
import { nonGradient } from './nongradient.ts';
import { highFeatureControl, oned, reversedControl } from './oned.ts';

export const claims: AnyClaim[] = [oned, image2d, projection, filtering, nonGradient, highFeatureControl, reversedControl];
