// Claims of the fprinciple family (BRIEF §1; issue 3). One module per experiment; this file lists them for the registry.
// Every claim is followed by its rival controls (DESIGN "Rivals and power"): a lookup-table model with no frequency
// bias for each, and for fprinciple.1d also a kernel that weights high frequencies more.
// CI seconds per check at the default seed, measured on the shared 2-core machine under load averages 10–30 (so
// several times a quiet machine's): 1d 52, step-target 20 (at 2400 steps; 3600 now), image-2d 135 (load ≈ 20; 2000
// steps took 14.6 quiet before), projection 27 (trains the MNIST runs that filtering reuses in one process), filtering
// 35 alone, non-gradient bfgs 4.1, cg 2.7, powell 2.4, pso 2.1; every rival is closed form or a 64-value optimization,
// 0.15–1.5 each.
import type { AnyClaim } from '../../core/claim.ts';
import { cnnFilteringClaims } from './cnn.ts';
import { filtering, filteringLookupRival, projection, projectionLookupRival } from './highdim.ts';
import { image2d, image2dLookupRival } from './image2d.ts';
import { nonGradientClaims } from './nongradient.ts';
import { highFeatureControl, oned, onedLookupRival } from './oned.ts';
import { stepLookupRival, stepTargetClaim } from './step.ts';

export const claims: AnyClaim[] = [
  oned,
  onedLookupRival,
  highFeatureControl,
  stepTargetClaim,
  stepLookupRival,
  image2d,
  image2dLookupRival,
  projection,
  projectionLookupRival,
  filtering,
  filteringLookupRival,
  ...nonGradientClaims,
  ...cnnFilteringClaims,
];
