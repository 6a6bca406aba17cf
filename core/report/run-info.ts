// run-info.json: what ran where and how long it took. Never compared: times, hosts and dates live only here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { arch, cpus, platform, totalmem } from 'node:os';
import { getEngine } from '../engine/index.ts';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string | null {
  // Packages whose `exports` hide package.json are found by walking up from their entry point.
  try {
    let dir = dirname(require.resolve(pkg));
    while (dir !== dirname(dir)) {
      const p = join(dir, 'package.json');
      if (existsSync(p)) {
        const meta = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version: string };
        if (meta.name === pkg) return meta.version;
      }
      dir = dirname(dir);
    }
  } catch {
    // not installed
  }
  return null;
}

/** The engine a report ran on, as report.json records it (`diff` flags reports from unlike engines). */
export async function engineInfo(): Promise<{ name: string; precision: string }> {
  const engine = await getEngine();
  return { name: engine.name, precision: engine.precision };
}

export async function runInfo(o: { tier: string; masterSeed: number; jobs: number; shards?: number; totalMs: number; durations: Record<string, number> }) {
  const engine = await getEngine();
  const cpu = cpus();
  return {
    generatedAt: new Date().toISOString(),
    tier: o.tier,
    masterSeed: o.masterSeed,
    engine: { name: engine.name, backend: engine.backend, precision: engine.precision },
    env: { DLCLAIMS_ENGINE: process.env.DLCLAIMS_ENGINE ?? null, DLCLAIMS_BACKEND: process.env.DLCLAIMS_BACKEND ?? null },
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpu: { model: cpu[0]?.model ?? 'unknown', cores: cpu.length },
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    packages: Object.fromEntries(
      ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node', 'vega-lite', 'fast-check', 'ml-matrix'].map((p) => [p, versionOf(p)]),
    ),
    jobs: o.jobs,
    ...(o.shards ? { shards: o.shards } : {}),
    wallSeconds: Math.round(o.totalMs) / 1000,
    claimSeconds: Object.fromEntries(Object.entries(o.durations).map(([k, v]) => [k, v / 1000])),
  };
}
