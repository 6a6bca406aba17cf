// The flake audit as the report reads it (reports/flake.json, written by `dlclaims flake`): per check, its stability
// (how often the verdict was the expected one under other master seeds) and, for a rival control, how often the
// judge wrongly said "holds" on it; a claim's power is 1 − the worst false-pass rate among its rivals.
// DESIGN.md "Rivals and power". The report only reads the audit: `report --check` never reruns it.
import { InputError } from '../formats.ts';

export interface AuditRow {
  id: string;
  expected?: string;
  runs: number;
  asExpected: number;
  /** The verdict at each audit seed, in seed order. */
  statuses?: string[];
}

export interface Stability {
  seeds: { first: number; count: number };
  claims: AuditRow[];
}

/** What report.json records per check from the audit. */
export interface EntryAudit {
  runs: number;
  asExpected: number;
  /** Rival controls: audit seeds on which the judge said "holds". */
  falsePasses?: number;
  /** Claims: 1 − the largest false-pass rate among its rivals (present once every rival has been audited). */
  power?: number;
}

const STATUSES = new Set(['holds', 'fails', 'inconclusive']);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** Validates a parsed flake.json; a malformed file is bad input named by its field, never a crash later. */
export function parseStability(raw: unknown, label: string): Stability {
  const bad = (field: string, what: string): never => {
    throw new InputError(`${label}: ${field}: ${what}`);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad('(root)', 'expected an object');
  const r = raw as { seeds?: unknown; claims?: unknown };
  const seeds = r.seeds as { first?: unknown; count?: unknown } | undefined;
  if (!seeds || typeof seeds !== 'object') bad('seeds', 'expected {first, count}');
  if (!isCount(seeds!.first)) bad('seeds.first', 'expected a non-negative integer');
  if (!isCount(seeds!.count) || seeds!.count < 1) bad('seeds.count', 'expected a positive integer');
  if (!Array.isArray(r.claims)) bad('claims', 'expected an array');
  const seen = new Set<string>();
  const claims = (r.claims as unknown[]).map((row, i): AuditRow => {
    const f = `claims[${i}]`;
    if (!row || typeof row !== 'object' || Array.isArray(row)) bad(f, 'expected an object');
    const o = row as Record<string, unknown>;
    if (typeof o.id !== 'string' || !/^[A-Za-z0-9._-]+$/.test(o.id)) bad(`${f}.id`, 'expected a claim id (letters, digits, ".", "_", "-")');
    if (seen.has(o.id as string)) bad(`${f}.id`, `duplicate id "${o.id as string}"`);
    seen.add(o.id as string);
    if (!isCount(o.runs) || !isCount(o.asExpected) || o.asExpected > o.runs) bad(`${f}`, 'runs and asExpected must be counts with asExpected ≤ runs');
    if (o.expected !== undefined && !STATUSES.has(o.expected as string)) bad(`${f}.expected`, 'expected holds, fails or inconclusive');
    if (o.statuses !== undefined) {
      const s = o.statuses;
      if (!Array.isArray(s) || s.length !== o.runs || !s.every((x) => STATUSES.has(x as string))) bad(`${f}.statuses`, 'expected one status per run');
    }
    return { id: o.id as string, runs: o.runs as number, asExpected: o.asExpected as number, ...(o.expected ? { expected: o.expected as string } : {}), ...(o.statuses ? { statuses: o.statuses as string[] } : {}) };
  });
  return { seeds: { first: seeds!.first as number, count: seeds!.count as number }, claims };
}

/** The ids a rival control names (`rivalOf` is one id or a list). */
export function rivalTargets(rivalOf: string | string[] | undefined): string[] {
  return rivalOf === undefined ? [] : Array.isArray(rivalOf) ? rivalOf : [rivalOf];
}

/** Rival control ids per claim id. */
export function rivalsByClaim(entries: { id: string; rivalOf?: string | string[] }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) for (const t of rivalTargets(e.rivalOf)) out.set(t, [...(out.get(t) ?? []), e.id]);
  return out;
}

/** Per check: stability, false passes (rivals) and power (claims), from the audit rows. */
export function auditEntries(entries: { id: string; control?: boolean; rivalOf?: string | string[] }[], stability: Stability): Map<string, EntryAudit> {
  const rows = new Map(stability.claims.map((r) => [r.id, r]));
  const falsePasses = (r: AuditRow | undefined) => (r?.statuses ? r.statuses.filter((s) => s === 'holds').length : undefined);
  const out = new Map<string, EntryAudit>();
  for (const e of entries) {
    const r = rows.get(e.id);
    if (!r) continue;
    const a: EntryAudit = { runs: r.runs, asExpected: r.asExpected };
    if (e.control && e.rivalOf !== undefined && falsePasses(r) !== undefined) a.falsePasses = falsePasses(r);
    out.set(e.id, a);
  }
  for (const [claim, rivals] of rivalsByClaim(entries)) {
    const a = out.get(claim);
    if (!a) continue;
    const rates = rivals.map((id) => {
      const r = rows.get(id);
      const k = falsePasses(r);
      return r && k !== undefined && r.runs > 0 ? k / r.runs : undefined;
    });
    if (rates.every((x) => x !== undefined)) a.power = 1 - Math.max(...(rates as number[]));
  }
  return out;
}
