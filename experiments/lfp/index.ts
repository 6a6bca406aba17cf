// Claims of the lfp family (Linear Frequency Principle, BRIEF.md §2). Each claim lives in its own module; this
// file lists them for the registry. A new lfp claim: a module here, using common.ts, added to this list.
//
// Measured on the shared 2-core machine (2026-11-23): CI tier ≈ 11 s for all five claims (lfp.1d 4.6 s, lfp.xor 2.7 s,
// lfp.width-trend 2.0 s, controls 1.0 s and 0.2 s); full tier ≈ 160 s wall (lfp.1d 79 s, lfp.xor 13 s,
// lfp.width-trend 37 s, lfp.1d.other-regime 25 s, lfp.1d.narrow 3 s), same verdicts.
import type { AnyClaim } from '../../core/claim.ts';
import { lfp1d, lfp1dNarrow, lfp1dOtherRegime } from './regimes.ts';
import { lfpWidthTrend } from './width-trend.ts';
import { lfpXor } from './xor.ts';

export const claims: AnyClaim[] = [lfp1d, lfpXor, lfpWidthTrend, lfp1dOtherRegime, lfp1dNarrow];
