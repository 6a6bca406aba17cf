// The claim registry: every family's claims, in report order. Add a family by adding its index here.
import type { AnyClaim } from '../core/claim.ts';
import { claims as fprinciple } from './fprinciple/index.ts';
import { claims as lfp } from './lfp/index.ts';
import { claims as linearization } from './linearization/index.ts';
import { claims as embedding } from './embedding/index.ts';
import { claims as maxmargin } from './maxmargin/index.ts';
import { claims as overparam } from './overparam/index.ts';

/** Each family's folder under experiments/ with its claims (the result cache hashes a claim's family module). */
export const families: { dir: string; claims: AnyClaim[] }[] = [
  { dir: 'fprinciple', claims: fprinciple },
  { dir: 'lfp', claims: lfp },
  { dir: 'linearization', claims: linearization },
  { dir: 'embedding', claims: embedding },
  { dir: 'maxmargin', claims: maxmargin },
  { dir: 'overparam', claims: overparam },
];

export const registry: AnyClaim[] = families.flatMap((f) => f.claims);

export function findClaim(id: string): AnyClaim | undefined {
  return registry.find((c) => c.id === id);
}
