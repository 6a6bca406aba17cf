// CI outputs of `report --check` and `diff`: JUnit XML, JSON, the Markdown table, GitHub annotations and job summary;
// and the engine in report.json flagged by diff when two reports ran on unlike engines.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubOutputs, jsonResult, junitXml, markdownTable, type CheckResult } from '../cli/ci-output.ts';
import { compareReports } from '../core/report/compare.ts';
import { assertValidReport, type Report } from '../core/report/build.ts';

const entry = (id: string, status: 'holds' | 'fails', expected: 'holds' | 'fails') => ({
  id,
  title: 't',
  statement: 's',
  source: { paper: 'p' },
  tier: 'ci' as const,
  seeds: { master: 1, replicates: [0] },
  config: { replicates: 1 },
  status,
  expected,
  reason: `r <&> "${id}"`,
  metrics: { x: 1 },
  tolerance: { default: { abs: 0, rel: 0 } },
  figures: [],
});
const report = (engine = { name: 'reference', precision: 'float64' }): Report => ({
  format: 'report-v1',
  tier: 'ci',
  masterSeed: 1,
  engine,
  summary: { claims: 2, controls: 0, holds: 1, fails: 1, inconclusive: 0, asExpected: 1 },
  claims: [entry('a.ok', 'holds', 'holds'), entry('b.bad', 'fails', 'holds')],
});
const result = (): CheckResult => ({
  command: 'report --check',
  ok: false,
  findings: [{ kind: 'verdict', id: 'b.bad', detail: 'holds → fails: r' }],
  unexpected: [{ id: 'b.bad', status: 'fails', expected: 'holds', reason: 'r <&>' }],
  report: report(),
  seconds: { 'a.ok': 1.5 },
});

describe('CI outputs', () => {
  it('JUnit: one case per claim plus the settings case; failures escaped', () => {
    const x = junitXml(result());
    expect(x).toMatch(/<testsuites name="dlclaims" tests="3" failures="1">/);
    expect(x).toMatch(/<testcase classname="dlclaims.a" name="a.ok → holds" time="1.500"><\/testcase>/);
    expect(x).toMatch(/<testcase classname="dlclaims.b" name="b.bad → holds">\s*<failure message="verdict: holds → fails: r">[^<]*unexpected verdict: fails, expected holds: r &lt;&amp;&gt;<\/failure>/);
  });

  it('JSON and Markdown say which claims failed', () => {
    const j = JSON.parse(jsonResult(result()));
    expect(j).toMatchObject({ format: 'check-v1', ok: false, engine: { name: 'reference' } });
    expect(j.claims.map((c: { id: string; ok: boolean }) => [c.id, c.ok])).toEqual([['a.ok', true], ['b.bad', false]]);
    const md = markdownTable(result());
    expect(md).toMatch(/^### dlclaims report --check: FAILED/);
    expect(md).toMatch(/\| `a.ok` \| holds \| holds \| ✅ \|/);
    expect(md).toMatch(/\| `b.bad` \| fails \| holds \| ❌ verdict: holds → fails: r; unexpected verdict/);
  });

  it('GitHub: ::error annotations and a job summary only when GITHUB_ACTIONS is set', () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'dlclaims-gh-')), 'summary.md');
    let out = '';
    githubOutputs(result(), {}, (s) => (out += s));
    expect(out).toBe('');
    githubOutputs(result(), { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }, (s) => (out += s));
    expect(out).toMatch(/^::error title=dlclaims b.bad::verdict: holds → fails: r%0Aunexpected verdict/);
    expect(out.split('\n').filter(Boolean)).toHaveLength(1);
    expect(readFileSync(summary, 'utf8')).toBe(markdownTable(result()) + '\n');
  });
});

describe('engine in report.json', () => {
  it('validates, and diff flags reports from unlike engines (not reports without the field)', () => {
    const a = report();
    assertValidReport(a, 'a');
    const b = report({ name: 'onnx', precision: 'float32' });
    expect(compareReports(a, b).filter((f) => f.id === '*')).toEqual([{ kind: 'config', id: '*', detail: 'engine reference/float64 → onnx/float32: an unlike comparison' }]);
    const { engine: _, ...old } = a;
    expect(compareReports(old as Report, b).filter((f) => f.id === '*')).toEqual([]);
  });
});
