// What a claim author imports: the claim types, seeded streams, statistics, the engine interface and the
// float64 reference MLP. See README "Adding a claim". The report API is `dlclaims/report`, test helpers
// `dlclaims/testing`, theory modules `dlclaims/theory/<name>` (e.g. dlclaims/theory/ntk).
export * from './claim.ts';
export * from './rng.ts';
export * from './stats.ts';
export { runClaim, type ClaimResult, type RunOptions } from './runner.ts';
export { getEngine, engineByName, trainEnsemble, type Engine, type TrainSpec, type TrainResult, type TrainRecord, type OptimizerSpec } from './engine/index.ts';
export { InputError } from './formats.ts';
export { MissingDependencyError } from './optional.ts';
export type { DlclaimsConfig } from './load-claims.ts';
export * as mlp from '../theory/mlp.ts';
