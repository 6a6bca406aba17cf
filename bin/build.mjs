#!/usr/bin/env node
// `npm run build` (also `prepare` and `prepack`): tsc -p tsconfig.build.json into dist/, then the data files the
// compiled code reads next to itself. Skips the compile when dist/ is already newer than every source (--force: always).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale, STAMP } from './stale.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = ['core/report/schema.json', 'fixtures/fprinciple/digit-14x14.json'];

// The WebAssembly kernels first: their generated module is a source that tsc compiles. wabt is a dev dependency, so an
// installed package (which ships dist/ and the committed generated file) never reassembles them.
try {
  await import('wabt');
  const r = spawnSync(process.execPath, [join(root, 'bin', 'build-wasm.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
}

if (!process.argv.includes('--force') && !isStale(root)) {
  console.error('dlclaims build: dist/ is up to date');
  process.exit(0);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, STAMP), `${new Date().toISOString()}\n`);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(join(root, STAMP), { force: true }); // a failed build is never "fresh"
  process.exit(r.status ?? 1);
}
for (const a of ASSETS) {
  mkdirSync(dirname(join(root, 'dist', a)), { recursive: true });
  copyFileSync(join(root, a), join(root, 'dist', a));
}
console.error('dlclaims build: dist/ written');
