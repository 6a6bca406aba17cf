// REPORT.md: the reviewer's page. A summary table, then one section per claim (statement, source, verdict,
// key numbers with intervals, configuration, figures), families in registry order.
import { rivalsByClaim, rivalTargets } from './audit.ts';
import type { ClaimEntry, Report } from './build.ts';
export type { Stability } from './audit.ts';

const ICON: Record<string, string> = { holds: '✅ holds', fails: '❌ fails', inconclusive: '⚠️ inconclusive' };

function fmt(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
  if (x === null) return 'n/a';
  return String(x);
}

function isEstimate(v: unknown): v is { value: number; lo: number; hi: number } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && ['value', 'lo', 'hi'].every((k) => k in (v as object)) && Object.keys(v as object).length === 3;
}

/** Rows (name, value) for the metrics table; estimates read "v [lo, hi]", long arrays are summarised. */
export function metricRows(v: unknown, path = ''): [string, string][] {
  if (isEstimate(v)) return [[path, `${fmt(v.value)} [${fmt(v.lo)}, ${fmt(v.hi)}]`]];
  if (Array.isArray(v)) {
    if (v.every((e) => typeof e !== 'object' || e === null)) {
      if (v.length <= 8) return [[path, `[${v.map(fmt).join(', ')}]`]];
      const nums = v.filter((e): e is number => typeof e === 'number');
      return [[path, `${v.length} values, ${fmt(Math.min(...nums))} … ${fmt(Math.max(...nums))}`]];
    }
    return v.flatMap((e, i) => metricRows(e, `${path}[${i}]`));
  }
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, e]) => metricRows(e, path ? `${path}.${k}` : k));
  return [[path, fmt(v)]];
}

/** An explicit anchor per claim, so the summary's links work in any Markdown renderer. */
function anchor(id: string): string {
  return id.replace(/[^a-z0-9-]/g, '-');
}

/** Text from claims and files, made inert in Markdown: no raw HTML, no table-breaking pipes. */
export function inert(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

const link = (id: string) => `[\`${id}\`](#${anchor(id)})`;
const ratio = (k: number, n: number) => `${k}/${n}`;

/** 'claim', 'rival' (a control that replaces the mechanism by the nearest alternative) or 'judge test' (breaks the code). */
function kind(c: ClaimEntry): string {
  return !c.control ? 'claim' : rivalTargets(c.rivalOf).length > 0 ? 'rival' : 'judge test';
}

/** The power cell: 1 − the worst rival false-pass rate, with the count behind it. */
function powerCell(c: ClaimEntry, rivals: string[], byId: Map<string, ClaimEntry>): string {
  if (c.control) return c.audit?.falsePasses !== undefined ? `false pass ${ratio(c.audit.falsePasses, c.audit.runs)}` : '';
  if (rivals.length === 0) return '**no rival**';
  if (c.audit?.power === undefined) return 'not audited';
  const worst = Math.max(...rivals.map((r) => byId.get(r)?.audit?.falsePasses ?? 0));
  const runs = byId.get(rivals[0]!)?.audit?.runs ?? 0;
  return `${c.audit.power.toFixed(2)} (${worst}/${runs} false pass)`;
}

function section(c: ClaimEntry, rivals: string[], byId: Map<string, ClaimEntry>): string {
  const src = [c.source.paper, c.source.arxiv ? `arXiv:${c.source.arxiv}` : '', c.source.where ?? ''].filter(Boolean).join(' · ');
  const asExpected = c.status === c.expected ? 'as expected' : `**expected ${c.expected}**`;
  const a = c.audit;
  const fragile = a && a.asExpected < 0.95 * a.runs;
  const k = kind(c);
  let s = `<a id="${anchor(c.id)}"></a>\n\n### \`${c.id}\`${k === 'rival' ? ' (rival control)' : k === 'judge test' ? ' (negative control)' : ''}: ${inert(c.title)}\n\n`;
  s += `> ${inert(c.statement)}\n\n`;
  s += `Source: ${inert(src)}\n\n`;
  s += `**Verdict: ${ICON[c.status]}** (${asExpected}). ${inert(c.reason)}\n\n`;
  if (k === 'rival') s += `Rival of ${rivalTargets(c.rivalOf).map(link).join(', ')}: the same experiment and judge with the mechanism replaced by the nearest alternative explanation; the judge must not say "holds".\n\n`;
  if (k === 'judge test') s += 'A judge test: the code or the setting is broken on purpose, so it shows the judge can fail, not that it rules out a rival.\n\n';
  if (k === 'claim') s += rivals.length > 0 ? `Rivals: ${rivals.map((r) => `${link(r)} (${byId.get(r)?.status ?? 'not run'})`).join(', ')}.\n\n` : '**No rival control**: this verdict has not been shown to rule out an alternative explanation.\n\n';
  if (a) {
    s += `Stability over other master seeds: ${ratio(a.asExpected, a.runs)} as expected${fragile ? ' — **fragile**: this verdict depends on the seed' : ''}.`;
    if (a.falsePasses !== undefined) s += ` The judge wrongly said "holds" on ${ratio(a.falsePasses, a.runs)} of them.`;
    if (a.power !== undefined) s += ` Power against its rivals: ${a.power.toFixed(2)}.`;
    s += '\n\n';
  }
  const rows = metricRows(c.metrics);
  if (rows.length > 0) {
    s += '| metric | value |\n|---|---|\n';
    for (const [k2, v] of rows.slice(0, 40)) s += `| ${inert(k2)} | ${inert(v)} |\n`;
    if (rows.length > 40) s += `| … | ${rows.length - 40} more in report.json |\n`;
    s += '\n';
  }
  s += `Seeds: master ${c.seeds.master}, replicates ${c.seeds.replicates.length}. Config: \`${JSON.stringify(c.config).replace(/`/g, "'")}\`\n\n`;
  for (const f of c.figures) s += `![${c.id}: ${f.replace(/^figures\/.*--|\.svg$/g, '')}](${f})\n\n`;
  return s;
}

export function reportMarkdown(r: Report, order: string[]): string {
  const rank = new Map(order.map((id, i) => [id, i]));
  const claims = [...r.claims].sort((a, b) => (rank.get(a.id) ?? 1e9) - (rank.get(b.id) ?? 1e9));
  const byId = new Map(claims.map((c) => [c.id, c]));
  const rivalsOf = rivalsByClaim(claims);
  const sm = r.summary;
  const nClaims = claims.filter((c) => !c.control).length;
  const nRivals = claims.filter((c) => kind(c) === 'rival').length;
  let s = `# dlclaims reproducibility report (${r.tier} tier)\n\n`;
  s += `Generated by \`npx dlclaims report --tier ${r.tier}\`; master seed ${r.masterSeed}. `;
  s += `${sm.claims} checks: ${nClaims} claims, ${nRivals} rival controls, ${sm.controls - nRivals} judge tests; ${sm.holds} hold, ${sm.fails} fail, ${sm.inconclusive} inconclusive; `;
  s += `**${sm.asExpected} of ${sm.claims} as expected** (a control is expected to fail).\n\n`;
  s += 'Machine-readable: `report.json` (canonical, compared by `dlclaims report --check`). Timings: `run-info.json`.\n\n';
  s += 'A verdict is evidence only if the same judge says "fails" when the mechanism is replaced by the nearest rival explanation: ';
  s += 'each claim names its rival controls. A judge test breaks the code or the setting on purpose; it shows the judge can fail, not power.\n\n';
  if (r.audit) {
    s += `Audit (\`npm run flake\`, reports/flake.json): the CI tier rerun under ${r.audit.count} other master seeds (${r.audit.first}…${r.audit.first + r.audit.count - 1}). `;
    s += `"Stable" is how often a check's verdict was the expected one (below 19/${r.audit.count} the verdict at the default seed is fragile); `;
    s += '"power" is 1 − the largest rate at which the judge wrongly said "holds" on one of the claim\'s rivals (target: at most 1 false pass in 20).\n\n';
  }
  s += `| check | kind | verdict | expected | rival controls |${r.audit ? ' stable | power |' : ''}\n|---|---|---|---|---|${r.audit ? '---|---|' : ''}\n`;
  for (const c of claims) {
    const rivals = rivalsOf.get(c.id) ?? [];
    const rivalCell = c.control ? (kind(c) === 'rival' ? `rival of ${rivalTargets(c.rivalOf).map(link).join(', ')}` : '') : rivals.length > 0 ? rivals.map(link).join(', ') : '**none**';
    const audit = r.audit ? ` ${c.audit ? ratio(c.audit.asExpected, c.audit.runs) : 'not audited'} | ${powerCell(c, rivals, byId)} |` : '';
    s += `| ${link(c.id)} | ${kind(c)} | ${ICON[c.status]} | ${c.status === c.expected ? '✓' : `✗ (${c.expected})`} | ${rivalCell} |${audit}\n`;
  }
  s += '\n';
  let family = '';
  for (const c of claims) {
    const f = c.id.split('.')[0]!;
    if (f !== family) {
      family = f;
      s += `## ${f}\n\n`;
    }
    s += section(c, rivalsOf.get(c.id) ?? [], byId);
  }
  return s;
}
