// Claims of the lfp family (Linear Frequency Principle, BRIEF.md §2). Each claim lives in its own module; this
// file lists them for the registry. A new lfp claim: a module here, using common.ts, added to this list.
import type { AnyClaim } from '../../core/claim.ts';
import { lfpDynamicsClaim, lfpDynamicsRivalUniform } from './dynamics.ts';
import { lfp1d, lfp1dNarrow, lfp1dOtherRegime, lfp1dRivalCubic, lfp1dRivalLinear } from './regimes.ts';
import { lfpWidthTrend, lfpWidthTrendRivalCubic } from './width-trend.ts';
import { lfpXor, lfpXorRivalCubic, lfpXorRivalLinear } from './xor.ts';

export const claims: AnyClaim[] = [lfp1d, lfp1dRivalCubic, lfp1dRivalLinear, lfpXor, lfpXorRivalCubic, lfpXorRivalLinear, lfpWidthTrend, lfpWidthTrendRivalCubic, lfpDynamicsClaim, lfpDynamicsRivalUniform, lfp1dOtherRegime, lfp1dNarrow];
