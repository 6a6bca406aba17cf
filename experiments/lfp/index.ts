// Claims of the lfp family (Linear Frequency Principle, BRIEF.md §2). Each claim lives in its own module; this
// file lists them for the registry. A new lfp claim: a module here, using common.ts, added to this list.
//
// Every claim has rival controls (rivalOf): the same experiment and judge with LFP replaced by its nearest rival
// (its two limits, the splines or the pure closed forms; a uniform-rate relaxation for the dynamics).
// lfp.1d.other-regime and lfp.1d.narrow are bug detectors (the wrong γ², a net too narrow to be linear), not rivals.
//
// Measured on the shared 2-core machine under load (2026-12-05, load average ≈ 11), CI tier, process CPU seconds
// less the ≈ 2.2 s of start-up: lfp.1d 3.0 (2.4 inside runClaim), its rivals 2.1 and 2.9; lfp.xor 1.7, rivals 2.0
// and 1.6; lfp.width-trend 0.8, rival 2.1; lfp.dynamics 3.3, rival 2.5; controls 0.9 and 0.3: ≈ 23 s in all, above
// the 15 s budget on this loaded machine (the runs' printed wall seconds were 3–4× these).
import type { AnyClaim } from '../../core/claim.ts';
import { lfpDynamicsClaim, lfpDynamicsRivalUniform } from './dynamics.ts';
import { lfp1d, lfp1dNarrow, lfp1dOtherRegime, lfp1dRivalCubic, lfp1dRivalLinear } from './regimes.ts';
import { lfpWidthTrend, lfpWidthTrendRivalCubic } from './width-trend.ts';
import { lfpXor, lfpXorRivalCubic, lfpXorRivalLinear } from './xor.ts';

export const claims: AnyClaim[] = [lfp1d, lfp1dRivalCubic, lfp1dRivalLinear, lfpXor, lfpXorRivalCubic, lfpXorRivalLinear, lfpWidthTrend, lfpWidthTrendRivalCubic, lfpDynamicsClaim, lfpDynamicsRivalUniform, lfp1dOtherRegime, lfp1dNarrow];
