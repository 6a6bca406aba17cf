// run-info.json: what ran where and how long it took. Never compared: times, hosts and dates live only here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, platform, totalmem } from 'node:os';
import { getEngine } from '../engine/index.ts';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string | null {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export async function runInfo(o: { tier: string; masterSeed: number; jobs: number; totalMs: number; durations: Record<string, number> }) {
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
    wallSeconds: Math.round(o.totalMs) / 1000,
    claimSeconds: Object.fromEntries(Object.entries(o.durations).map(([k, v]) => [k, v / 1000])),
  };
}
