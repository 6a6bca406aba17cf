// Atomic output. Files: write to a temporary name, then rename. The report folder: build it complete beside
// the target, then swap folders, so a run killed midway leaves the previous report untouched.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** The files the report writer owns inside the report folder; anything else there (bench.json, ...) is kept. */
export const OWNED = ['report.json', 'REPORT.md', 'run-info.json', 'figures'];

/**
 * Replaces the report files in `outDir` by `files` (relative path → content) as one step.
 * Files in `outDir` that the writer does not own are carried over.
 */
export function writeReportDir(outDir: string, files: Map<string, string>): void {
  const out = resolve(outDir);
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(out)}.staging-${process.pid}`);
  const old = join(parent, `.${basename(out)}.old-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (const [rel, content] of files) {
      mkdirSync(dirname(join(staging, rel)), { recursive: true });
      writeFileSync(join(staging, rel), content);
    }
    if (existsSync(out)) {
      for (const name of readdirSync(out)) {
        if (!OWNED.includes(name)) cpSync(join(out, name), join(staging, name), { recursive: true });
      }
      renameSync(out, old);
    }
    renameSync(staging, out);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(out) && existsSync(old)) renameSync(old, out);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}
