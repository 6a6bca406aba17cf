// CI conventions for `report --check` and `diff`: JUnit XML (--junit FILE), JSON (--json FILE), a Markdown table
// (--md, for PR comments), and, when GITHUB_ACTIONS is set, a job summary ($GITHUB_STEP_SUMMARY) and `::error`
// annotations. One test case per claim; a claim fails when it has a finding or an unexpected verdict.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Report } from '../core/report/build.ts';
import type { Finding } from '../core/report/compare.ts';

export interface CheckResult {
  /** `report --check` or `diff`. */
  command: string;
  ok: boolean;
  findings: Finding[];
  /** The new report's claims whose verdict is not the expected one. */
  unexpected: { id: string; status: string; expected: string; reason: string }[];
  report: Report;
  seconds?: Record<string, number>;
}

interface Case {
  id: string;
  status: string;
  expected: string;
  problems: string[];
}

function cases(r: CheckResult): Case[] {
  const ids = new Set(r.report.claims.map((c) => c.id));
  for (const f of r.findings) if (f.id !== '*') ids.add(f.id);
  const byId = new Map(r.report.claims.map((c) => [c.id, c]));
  return [...ids].sort().map((id) => {
    const c = byId.get(id);
    const problems = r.findings.filter((f) => f.id === id).map((f) => `${f.kind}: ${f.detail}`);
    for (const u of r.unexpected.filter((u) => u.id === id)) problems.push(`unexpected verdict: ${u.status}, expected ${u.expected}: ${u.reason}`);
    return { id, status: c?.status ?? 'missing', expected: c?.expected ?? '-', problems };
  });
}

const xml = (s: string) => s.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitXml(r: CheckResult): string {
  const cs = cases(r);
  const global = r.findings.filter((f) => f.id === '*');
  const failures = cs.filter((c) => c.problems.length > 0).length + (global.length > 0 ? 1 : 0);
  let s = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="dlclaims" tests="${cs.length + 1}" failures="${failures}">\n`;
  s += `  <testsuite name="${xml(r.command)}" tests="${cs.length + 1}" failures="${failures}">\n`;
  s += `    <testcase classname="dlclaims" name="report settings (tier, seed, engine)">`;
  s += global.length ? `<failure message="${xml(global.map((f) => f.detail).join('; '))}"/></testcase>\n` : `</testcase>\n`;
  for (const c of cs) {
    const t = r.seconds?.[c.id];
    s += `    <testcase classname="dlclaims.${xml(c.id.split('.')[0]!)}" name="${xml(c.id)} → ${xml(c.expected)}"${t !== undefined ? ` time="${t.toFixed(3)}"` : ''}>`;
    if (c.problems.length) s += `\n      <failure message="${xml(c.problems[0]!)}">${xml(c.problems.join('\n'))}</failure>\n    `;
    s += `</testcase>\n`;
  }
  return s + '  </testsuite>\n</testsuites>\n';
}

export function jsonResult(r: CheckResult): string {
  return (
    JSON.stringify(
      {
        format: 'check-v1',
        command: r.command,
        ok: r.ok,
        engine: r.report.engine ?? null,
        summary: r.report.summary,
        findings: r.findings,
        unexpected: r.unexpected,
        claims: cases(r).map((c) => ({ id: c.id, status: c.status, expected: c.expected, ok: c.problems.length === 0, problems: c.problems })),
      },
      null,
      2,
    ) + '\n'
  );
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(r: CheckResult): string {
  const cs = cases(r);
  const bad = cs.filter((c) => c.problems.length > 0);
  const global = r.findings.filter((f) => f.id === '*');
  let s = `### dlclaims ${r.command}: ${r.ok ? 'OK' : 'FAILED'}\n\n`;
  s += `${cs.length} claims, ${bad.length} with differences or unexpected verdicts${r.report.engine ? `; engine ${r.report.engine.name} (${r.report.engine.precision})` : ''}.\n\n`;
  for (const g of global) s += `- **${md(g.detail)}**\n`;
  if (global.length) s += '\n';
  s += '| claim | verdict | expected | result |\n|---|---|---|---|\n';
  for (const c of cs) s += `| \`${c.id}\` | ${c.status} | ${c.expected} | ${c.problems.length ? `❌ ${md(c.problems.join('; '))}` : '✅'} |\n`;
  return s;
}

/** GitHub Actions: `::error` annotations for each failing claim and the Markdown table as the job summary. */
export function githubOutputs(r: CheckResult, env: NodeJS.ProcessEnv = process.env, write: (s: string) => unknown = (s) => process.stdout.write(s)): void {
  if (!env.GITHUB_ACTIONS) return;
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  for (const c of cases(r)) if (c.problems.length) write(`::error title=dlclaims ${esc(c.id)}::${esc(c.problems.join('\n'))}\n`);
  for (const f of r.findings.filter((f) => f.id === '*')) write(`::error title=dlclaims ${r.command}::${esc(f.detail)}\n`);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdownTable(r) + '\n');
}

function writeOut(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Everything the flags and the environment ask for. */
export function emitCiOutputs(r: CheckResult, o: { junit?: string; json?: string; md?: boolean }): void {
  if (o.junit) writeOut(o.junit, junitXml(r));
  if (o.json) writeOut(o.json, jsonResult(r));
  if (o.md) process.stdout.write(markdownTable(r));
  githubOutputs(r);
}
