// Claims of the overparam family (brief §6–§8). Each claim lives in its own module; this file lists them for the registry.
import type { AnyClaim } from '../../core/claim.ts';
import { conditioning, conditioningControl } from './conditioning.ts';
import { doubleDescent, doubleDescentControl } from './double-descent.ts';
import { phaseDiagram, phaseDiagramControl } from './phase-diagram.ts';
import { transitionToLinearity, transitionToLinearityControl } from './transition-to-linearity.ts';

export const claims: AnyClaim[] = [conditioning, conditioningControl, transitionToLinearity, transitionToLinearityControl, doubleDescent, doubleDescentControl, phaseDiagram, phaseDiagramControl];
