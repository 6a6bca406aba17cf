// Claims of the fprinciple family (BRIEF §1; issue 3). One module per experiment; this file lists them for the registry.
// Every claim is followed by its rival controls (DESIGN "Rivals and power"): a lookup-table model with no frequency
// bias for each, and for fprinciple.1d also a kernel that weights high frequencies more.
// CI seconds per claim: see the report of the r3-fprinciple branch (measured under load; rivals are closed form).
import type { AnyClaim } from '../../core/claim.ts';
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
];
