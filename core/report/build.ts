// Builds the canonical report object from claim results and validates it against schema.json (ajv).
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import { DEFAULT_TOLERANCE, expectedStatus, type Status, type Tier } from '../claim.ts';
import type { ClaimResult } from '../runner.ts';
import { auditEntries, type EntryAudit, type Stability } from './audit.ts';
import { canonicalize } from './canonical.ts';
import { figureFile } from './figures.ts';

export interface ClaimEntry {
  id: string;
  title: string;
  statement: string;
  source: { paper: string; arxiv?: string; where?: string };
  tier: Tier;
  seeds: { master: number; replicates: number[] };
  config: Record<string, unknown>;
  control?: true;
  /** The claim(s) this control is the nearest rival of (DESIGN.md "Rivals and power"). */
  rivalOf?: string | string[];
  status: Status;
  expected: Status;
  /** From the flake audit (reports/flake.json) when one covers this check; never rerun by the report. */
  audit?: EntryAudit;
  reason: string;
  metrics: Record<string, unknown>;
  tolerance: { default: { abs?: number; rel?: number }; metrics?: Record<string, { abs?: number; rel?: number }> };
  figures: string[];
}

/** The engine that produced a report (name and floating-point precision). Absent in reports older than the field. */
export interface EngineInfo {
  name: string;
  precision: string;
}

export interface Report {
  format: 'report-v1';
  tier: Tier;
  masterSeed: number;
  engine?: EngineInfo;
  summary: { claims: number; controls: number; holds: number; fails: number; inconclusive: number; asExpected: number };
  /** The master seeds of the flake audit the entries' `audit` fields come from. */
  audit?: { first: number; count: number };
  claims: ClaimEntry[];
}

const schema = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8')) as object;
const Ajv = AjvModule.default ?? AjvModule; // ajv is CommonJS: under NodeNext its class is on .default
// Compiled on first use (issue 19): a command that never validates a report does not pay for it.
let validator: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;

/** Compiles the report schema now (the report calls it when a worker runs out of claims, a core being idle then). */
export function prepareReportValidator(): void {
  validator ??= new Ajv({ allErrors: false, strict: true }).compile(schema);
}

const validateReport = (v: unknown) => {
  prepareReportValidator();
  return validator!(v);
};

export function entryFor(r: ClaimResult): ClaimEntry {
  const c = r.claim;
  const { metrics: perMetric, ...def } = c.tolerance ?? {};
  return {
    id: c.id,
    title: c.title,
    statement: c.statement,
    source: c.source,
    tier: r.tier,
    seeds: { master: r.masterSeed, replicates: Array.from({ length: r.config.replicates }, (_, i) => i) },
    config: r.config as Record<string, unknown>,
    ...(c.control ? { control: true as const } : {}),
    ...(c.control && c.rivalOf !== undefined ? { rivalOf: c.rivalOf } : {}),
    status: r.verdict.status,
    expected: expectedStatus(c),
    reason: r.verdict.reason,
    metrics: r.verdict.metrics,
    tolerance: { default: { ...DEFAULT_TOLERANCE, ...def }, ...(perMetric ? { metrics: perMetric } : {}) },
    figures: Object.keys(r.figures).map((name) => figureFile(c.id, name)),
  };
}

export function buildReport(results: ClaimResult[], tier: Tier, masterSeed: number, engine?: EngineInfo, stability?: Stability): Report {
  const claims = results.map(entryFor).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const audits = stability ? auditEntries(claims, stability) : new Map<string, EntryAudit>();
  for (const c of claims) if (audits.has(c.id)) c.audit = audits.get(c.id);
  const count = (s: Status) => claims.filter((c) => c.status === s).length;
  const report: Report = {
    format: 'report-v1',
    tier,
    masterSeed,
    ...(engine ? { engine: { name: engine.name, precision: engine.precision } } : {}),
    summary: {
      claims: claims.length,
      controls: claims.filter((c) => c.control).length,
      holds: count('holds'),
      fails: count('fails'),
      inconclusive: count('inconclusive'),
      asExpected: claims.filter((c) => c.status === c.expected).length,
    },
    ...(stability ? { audit: { ...stability.seeds } } : {}),
    claims,
  };
  const canon = canonicalize(report) as Report;
  assertValidReport(canon, 'report');
  return canon;
}

/** Throws with the first schema violation, naming the JSON path. */
export function assertValidReport(v: unknown, label: string): asserts v is Report {
  if (!validateReport(v)) {
    const e = validator!.errors?.[0];
    throw new Error(`${label}${e?.instancePath ?? ''}: ${e?.message ?? 'does not match the report schema'}`);
  }
}
