// Frequency Principle family: every claim's CI-tier verdict. The ordering judge's exact properties on synthetic
// trajectories are in properties/judges/fprinciple.test.ts; those of the Fourier tools and optimizers are in
// properties/theory/{fourier,optimizers}.test.ts.
import { claims } from '../experiments/fprinciple/index.ts';
import { expectVerdicts } from './helpers.ts';

expectVerdicts(claims.filter((c) => !c.id.startsWith('fprinciple.filtering.cnn')), 'fprinciple'); // CNN claims: properties/cnn-claims.test.ts
