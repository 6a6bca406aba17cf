// The report API (`import { generateReport, compareReports } from 'dlclaims/report'`): run claims into a report,
// validate and compare reports, write a report folder. The CLI's `report`, `diff` and `merge` are built on these.
export { generateReport, runOutcomes, assembleReport, runAndRender, runCached, renderOutcomes, defaultJobs, type GenerateOptions, type Generated, type Outcome } from './generate.ts';
export { buildReport, entryFor, assertValidReport, type Report, type ClaimEntry, type EngineInfo } from './build.ts';
export { compareReports, formatFindings, worstDrift, type Finding, type FindingKind } from './compare.ts';
export { canonicalJson, canonicalize } from './canonical.ts';
export { writeReportDir, writeFileAtomic } from './write.ts';
export { renderSvg, figureFile } from './figures.ts';
export { cacheKey, cacheDir, moduleGraphHash } from './cache.ts';
export { loadClaims, resolveClaimSpec, claimsOf, type ClaimSpec, type DlclaimsConfig } from '../load-claims.ts';
