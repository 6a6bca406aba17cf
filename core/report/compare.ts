// Compares two reports the way a reviewer reads them: verdict changes first, then metric drift beyond the
// tolerance each claim declares, then claims that appeared, vanished or changed configuration.
import { InputError } from '../formats.ts';
import type { ClaimEntry, Report } from './build.ts';

/**
 * What the JSON Schema cannot say: claim ids are unique, and the summary counts the claims it sits above. A report
 * that breaks either is refused (exit 2) on read, by `diff` and `report --check`: with two entries for one id a
 * comparison would silently read only one of them (a stale "inconclusive" first gave "no differences").
 */
export function assertReportIntegrity(r: Report, label: string): void {
  for (const [where, seed] of [['masterSeed', r.masterSeed], ...r.claims.map((c) => [`claim "${c.id}" seeds.master`, c.seeds.master] as const)] as const) {
    if (!Number.isSafeInteger(seed) || (seed as number) < 0) throw new InputError(`${label}: ${where} ${seed} is not a non-negative integer ≤ 2^53 − 1 (a report must be rerunnable from its own seed)`);
  }
  const seen = new Set<string>();
  for (const c of r.claims) {
    if (seen.has(c.id)) throw new InputError(`${label}: claim "${c.id}" appears more than once`);
    seen.add(c.id);
  }
  const count = (s: string) => r.claims.filter((c) => c.status === s).length;
  const actual: Record<string, number> = {
    claims: r.claims.length,
    controls: r.claims.filter((c) => c.control).length,
    holds: count('holds'),
    fails: count('fails'),
    inconclusive: count('inconclusive'),
    asExpected: r.claims.filter((c) => c.status === c.expected).length,
  };
  for (const [k, v] of Object.entries(actual)) {
    const said = (r.summary as unknown as Record<string, number>)[k];
    if (said !== v) throw new InputError(`${label}: summary.${k} is ${said} but the claims give ${v}`);
  }
  for (const c of r.claims) {
    if (c.tier !== r.tier) throw new InputError(`${label}: claim "${c.id}" has tier ${c.tier}, the report ${r.tier}`);
    if (c.seeds.master !== r.masterSeed) throw new InputError(`${label}: claim "${c.id}" has master seed ${c.seeds.master}, the report ${r.masterSeed}`);
  }
}

/** Escapes terminal control characters in text taken from a report (reasons, metric strings). */
function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\n/g, ' ');
}

export type FindingKind = 'verdict' | 'expected' | 'missing' | 'new' | 'config' | 'drift';

export interface Finding {
  kind: FindingKind;
  id: string;
  detail: string;
}

const ORDER: FindingKind[] = ['verdict', 'expected', 'missing', 'new', 'config', 'drift'];

/** Numeric and non-numeric leaves of a metric tree, keyed by path. */
export function leaves(v: unknown, path: string, out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (Array.isArray(v)) v.forEach((e, i) => leaves(e, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, e] of Object.entries(v)) leaves(e, path ? `${path}.${k}` : k, out);
  else out.set(path, v);
  return out;
}

function toleranceFor(entry: ClaimEntry, path: string): { abs: number; rel: number } {
  const top = path.split(/[.[]/, 1)[0]!;
  const t = { ...entry.tolerance.default, ...(entry.tolerance.metrics?.[top] ?? {}) };
  return { abs: t.abs ?? 0, rel: t.rel ?? 0 };
}

function compareClaim(a: ClaimEntry, b: ClaimEntry): Finding[] {
  const out: Finding[] = [];
  if (a.status !== b.status) out.push({ kind: 'verdict', id: b.id, detail: `${a.status} → ${b.status}: ${b.reason}` });
  if (a.expected !== b.expected) out.push({ kind: 'expected', id: b.id, detail: `expected ${a.expected} → ${b.expected}` });
  if (JSON.stringify(a.config) !== JSON.stringify(b.config) || JSON.stringify(a.seeds) !== JSON.stringify(b.seeds)) {
    out.push({ kind: 'config', id: b.id, detail: 'configuration or seeds changed' });
  }
  const la = leaves(a.metrics, '');
  const lb = leaves(b.metrics, '');
  for (const [path, vb] of lb) {
    if (!la.has(path)) {
      out.push({ kind: 'drift', id: b.id, detail: `${path}: new metric (${String(vb)})` });
      continue;
    }
    const va = la.get(path);
    if (typeof va === 'number' && typeof vb === 'number') {
      const tol = toleranceFor(b, path);
      const allowed = tol.abs + tol.rel * Math.abs(va);
      if (Math.abs(vb - va) > allowed) {
        out.push({ kind: 'drift', id: b.id, detail: `${path}: ${va} → ${vb} (|Δ| ${Math.abs(vb - va).toPrecision(3)} > tolerance ${allowed.toPrecision(3)})` });
      }
    } else if (va !== vb) out.push({ kind: 'drift', id: b.id, detail: `${path}: ${String(va)} → ${String(vb)}` });
  }
  for (const path of la.keys()) if (!lb.has(path)) out.push({ kind: 'drift', id: b.id, detail: `${path}: metric removed` });
  return out;
}

/**
 * The numeric leaf that moved most relative to its declared tolerance: ratio = |Δ| / (abs + rel·|old|), so a ratio
 * ≤ 1 is inside the tolerance. Null when the two entries share no numeric leaf. Used by the cross-backend audit.
 */
export function worstDrift(a: ClaimEntry, b: ClaimEntry): { metric: string; ratio: number } | null {
  const la = leaves(a.metrics, '');
  let worst: { metric: string; ratio: number } | null = null;
  for (const [path, vb] of leaves(b.metrics, '')) {
    const va = la.get(path);
    if (typeof va !== 'number' || typeof vb !== 'number') continue;
    const tol = toleranceFor(b, path);
    const allowed = tol.abs + tol.rel * Math.abs(va);
    const d = Math.abs(vb - va);
    const ratio = d === 0 ? 0 : allowed === 0 ? Number.MAX_VALUE : d / allowed;
    if (!worst || ratio > worst.ratio) worst = { metric: path, ratio };
  }
  return worst;
}

export function compareReports(oldR: Report, newR: Report): Finding[] {
  const out: Finding[] = [];
  const oldById = new Map(oldR.claims.map((c) => [c.id, c]));
  const newById = new Map(newR.claims.map((c) => [c.id, c]));
  for (const [id, a] of oldById) {
    const b = newById.get(id);
    if (!b) out.push({ kind: 'missing', id, detail: `claim is in the old report (${a.status}) but not in the new one` });
    else out.push(...compareClaim(a, b));
  }
  for (const [id, b] of newById) if (!oldById.has(id)) out.push({ kind: 'new', id, detail: `new claim (${b.status})` });
  if (oldR.tier !== newR.tier) out.push({ kind: 'config', id: '*', detail: `tier ${oldR.tier} → ${newR.tier}` });
  // Reports from unlike engines (e.g. reference float64 vs onnx float32) are not a like-for-like comparison.
  if (oldR.engine && newR.engine && (oldR.engine.name !== newR.engine.name || oldR.engine.precision !== newR.engine.precision)) {
    out.push({ kind: 'config', id: '*', detail: `engine ${oldR.engine.name}/${oldR.engine.precision} → ${newR.engine.name}/${newR.engine.precision}: an unlike comparison` });
  }
  if (oldR.masterSeed !== newR.masterSeed) out.push({ kind: 'config', id: '*', detail: `master seed ${oldR.masterSeed} → ${newR.masterSeed}` });
  return out.sort((x, y) => ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

const HEADINGS: Record<FindingKind, string> = {
  verdict: 'Verdict changes',
  expected: 'Expected-verdict changes',
  missing: 'Missing claims',
  new: 'New claims',
  config: 'Configuration changes',
  drift: 'Metric drift beyond declared tolerance',
};

export function formatFindings(findings: Finding[]): string {
  if (findings.length === 0) return 'no differences beyond declared tolerances\n';
  let s = '';
  for (const kind of ORDER) {
    const fs = findings.filter((f) => f.kind === kind);
    if (fs.length === 0) continue;
    s += `${HEADINGS[kind]} (${fs.length}):\n`;
    for (const f of fs) s += `  ${safe(f.id)}: ${safe(f.detail)}\n`;
  }
  return s;
}
