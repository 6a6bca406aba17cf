// Claims of the maxmargin family (implicit bias of GD on separable data). Each claim lives in its own module;
// this file lists them for the registry, each followed by its negative controls.
import type { AnyClaim } from '../../core/claim.ts';
import { direction, directionSquared } from './direction.ts';
import { homogeneousNet, homogeneousNetSquared } from './homogeneous-net.ts';
import { logRate, logRateNonSeparable, logRateSquared } from './log-rate.ts';

export const claims: AnyClaim[] = [
  direction,
  directionSquared,
  logRate,
  logRateSquared,
  logRateNonSeparable,
  homogeneousNet,
  homogeneousNetSquared,
];
