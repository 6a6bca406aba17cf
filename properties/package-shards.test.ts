// Shards, merge, the result cache and deterministic figures, through the CLI on the toy claims (cheap):
// `report --shard i/n` + `merge` and cached reruns give the unsharded report byte for byte (run-info apart), and the
// cache never serves a result for changed source or a modified claim object.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClaims } from '../core/load-claims.ts';
import { cacheKey, recordClaimModule } from '../core/report/cache.ts';
import { renderSvg } from '../core/report/figures.ts';
import { toyClaims } from './support/toy-claims.ts';

const ROOT = resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'dlclaims-shards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// A copy of the toy claims, so that the cache test can edit its source.
const claimsDir = join(tmp, 'claims');
writeFileSync(join(tmp, 'package.json'), JSON.stringify({ type: 'module' })); // TypeScript claims load as ES modules
cpSync(join(ROOT, 'properties', 'support'), claimsDir, { recursive: true });
const mod = join(claimsDir, 'toy-claims.ts');
writeFileSync(mod, readFileSync(mod, 'utf8').replaceAll("'../../core/", `'${ROOT}/core/`));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'dlclaims.mjs'), ...args, '--claims', mod], { cwd: tmp, encoding: 'utf8', env: { ...process.env, DLCLAIMS_CACHE: '', GITHUB_ACTIONS: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every file of a report folder except run-info.json, by relative path. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'run-info.json' && !e.name.startsWith('shard-')) out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('shards and merge', () => {
  it('report --shard i/n on each part and merge give the unsharded report byte for byte', () => {
    const whole = cli(['report', '--out', 'whole', '--jobs', '1']);
    expect(whole.code, whole.err).toBe(0);
    for (const i of [1, 2]) {
      const s = cli(['report', '--shard', `${i}/2`, '--out', 'parts', '--jobs', '2']);
      expect(s.code, s.err).toBe(0);
    }
    const m = cli(['merge', 'parts/shard-1-of-2.json', 'parts/shard-2-of-2.json', '--out', 'merged']);
    expect(m.code, m.err).toBe(0);
    const a = files(join(tmp, 'whole'));
    expect(Object.keys(a)).toContain('report.json');
    expect(Object.keys(a).some((f) => f.endsWith('.svg'))).toBe(true);
    expect(files(join(tmp, 'merged'))).toEqual(a);
    const missing = cli(['merge', 'parts/shard-1-of-2.json', '--out', 'merged2']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing shard\(s\) 2\/2/);
    const bad = cli(['report', '--shard', '3/2']);
    expect(bad.code).toBe(2);
  });
});

describe('result cache', () => {
  it('a cached rerun is byte-identical, and an edited claim source misses', () => {
    const env = { DLCLAIMS_CACHE: join(tmp, 'cache') };
    const first = cli(['report', '--out', 'c1', '--jobs', '2'], env);
    expect(first.code, first.err).toBe(0);
    expect(first.err).not.toMatch(/cached/);
    const second = cli(['report', '--out', 'c2', '--jobs', '1'], env);
    expect(second.err.match(/\(cached\)/g)?.length).toBe(2);
    expect(files(join(tmp, 'c2'))).toEqual(files(join(tmp, 'c1')));
    expect(files(join(tmp, 'c1'))).toEqual(files(join(tmp, 'whole')));
    writeFileSync(mod, readFileSync(mod, 'utf8') + '\n// an edit\n');
    const third = cli(['report', '--out', 'c3', '--jobs', '1'], env);
    expect(third.err).not.toMatch(/cached/);
    const check = cli(['report', '--check', '--out', 'c3'], env);
    expect(check.code, check.out).toBe(0);
    expect(check.err.match(/\(cached\)/g)?.length).toBe(2);
  });

  it('gives every built-in claim a key (ids such as ntk.* and optimization.* live in other families\' folders)', async () => {
    const all = await loadClaims({ builtins: true, modules: [] });
    expect(all.filter((c) => cacheKey(c, 'ci', 1) === undefined).map((c) => c.id)).toEqual([]);
  });

  it('keys on config, seed and tier, and never caches a claim object the loader did not record', () => {
    const [claim] = toyClaims;
    expect(cacheKey(claim!, 'ci', 1)).toBeUndefined(); // not loaded through the loader: a test's copy, say
    recordClaimModule(claim!, join(ROOT, 'properties', 'support', 'toy-claims.ts'));
    const k = cacheKey(claim!, 'ci', 1)!;
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(claim!, 'ci', 2)).not.toBe(k);
    expect(cacheKey(claim!, 'full', 1)).not.toBe(k);
    expect(cacheKey({ ...claim!, tiers: { ...claim!.tiers, ci: { ...claim!.tiers.ci, replicates: 99 } } }, 'ci', 1)).toBeUndefined();
    const engine = process.env.DLCLAIMS_ENGINE;
    process.env.DLCLAIMS_ENGINE = 'onnx';
    try {
      expect(cacheKey(claim!, 'ci', 1)).not.toBe(k);
    } finally {
      if (engine === undefined) delete process.env.DLCLAIMS_ENGINE;
      else process.env.DLCLAIMS_ENGINE = engine;
    }
  });
});

describe('figures', () => {
  it('gradient and clip ids do not depend on what was rendered before', async () => {
    const gradient = { data: { values: [{ x: 1, y: 1, v: 0.5 }, { x: 2, y: 1, v: 1 }] }, mark: 'rect', encoding: { x: { field: 'x', type: 'ordinal' }, y: { field: 'y', type: 'ordinal' }, color: { field: 'v', type: 'quantitative' } } };
    const alone = await renderSvg(gradient);
    expect(alone).toMatch(/gradient_0/);
    await renderSvg(gradient);
    await renderSvg({ ...gradient, width: 50 });
    expect(await renderSvg(gradient)).toBe(alone);
  });
});
