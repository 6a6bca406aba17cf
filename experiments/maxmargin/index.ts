// Claims of the maxmargin family. Each claim lives in its own module; this file lists them for the registry.
import type { AnyClaim } from '../../core/claim.ts';

export const claims: AnyClaim[] = [];
