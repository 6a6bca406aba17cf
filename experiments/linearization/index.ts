// Claims of the linearization family (Lee et al. 2019; NTK). Each claim lives in its own module; this file lists them
// for the registry, each claim followed by its rival controls (`rivalOf`) and bug-detecting controls.
// The closed form of the linearized model (Lee et al. eqs. 8–11) is an exact identity, checked as a fast-check
// property in properties/theory/linearized.test.ts rather than as a claim.
import type { AnyClaim } from '../../core/claim.ts';
import { cnnWidth, cnnWidthMeanField } from './cnn-width.ts';
import { analyticLimit, analyticLimitNngp, analyticLimitWrongScaling } from './analytic-limit.ts';
import { ntkEnsemble, ntkEnsembleNngp } from './ntk-ensemble.ts';
import { ntkPrediction, ntkPredictionNngp } from './ntk-prediction.ts';
import { linearizationMinibatch, linearizationMinibatchMeanField } from './minibatch.ts';
import { linearizationMomentum, linearizationMomentumMeanField, linearizationXent, linearizationXentMeanField } from './optimizers.ts';
import { widthScaling, widthScalingMeanField, widthScalingWeightChange } from './width-scaling.ts';

export const claims: AnyClaim[] = [
  widthScaling,
  widthScalingMeanField,
  widthScalingWeightChange,
  linearizationMomentum,
  linearizationMomentumMeanField,
  linearizationXent,
  linearizationXentMeanField,
  linearizationMinibatch,
  linearizationMinibatchMeanField,
  ntkPrediction,
  ntkPredictionNngp,
  ntkEnsemble,
  ntkEnsembleNngp,
  analyticLimit,
  analyticLimitNngp,
  analyticLimitWrongScaling,
  cnnWidth,
  cnnWidthMeanField,
];
