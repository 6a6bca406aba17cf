// The claim registry: every family's claims, in report order. Add a family by adding its index here.
import type { AnyClaim } from '../core/claim.ts';
import { claims as fprinciple } from './fprinciple/index.ts';
import { claims as lfp } from './lfp/index.ts';
import { claims as linearization } from './linearization/index.ts';
import { claims as embedding } from './embedding/index.ts';
import { claims as maxmargin } from './maxmargin/index.ts';
import { claims as overparam } from './overparam/index.ts';

export const registry: AnyClaim[] = [...fprinciple, ...lfp, ...linearization, ...embedding, ...maxmargin, ...overparam];

export function findClaim(id: string): AnyClaim | undefined {
  return registry.find((c) => c.id === id);
}
