// Claims of the linearization family (Lee et al. 2019; NTK). Each claim lives in its own module; this file lists them
// for the registry, each claim followed by its negative control.
import type { AnyClaim } from '../../core/claim.ts';
import { analyticLimit, analyticLimitWrongScaling } from './analytic-limit.ts';
import { closedForm, closedFormUnnormalized } from './closed-form.ts';
import { widthScaling, widthScalingMeanField } from './width-scaling.ts';

export const claims: AnyClaim[] = [
  closedForm,
  closedFormUnnormalized,
  widthScaling,
  widthScalingMeanField,
  analyticLimit,
  analyticLimitWrongScaling,
];
