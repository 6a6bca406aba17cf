// Output the way a careful user expects it: the writer owns only its own files.
//
// Files (report.json's siblings bench.json, flake.json): written to `.NAME.PID.tmp` beside the target, flushed, then
// renamed over it; the temporary file is removed on any failure, and those of dead runs are removed by the next write.
//
// The report folder (`report --out DIR`):
// - DIR must be a folder that is new, empty, or already holds a dlclaims report (a report.json of format report-v1,
//   or the writer's own lock or leftovers). Refused (exit 2): an empty name, `/`, the current folder or one of its
//   ancestors, a file, a non-empty folder without a report.
// - Symbolic links are resolved on purpose: `--out LINK` writes into the folder LINK points to, and LINK stays a
//   link. Nothing else in DIR is read, copied, replaced or re-moded: the folder itself keeps its mode, owner and
//   inode, and user files (bench.json, flake.json, full/, anything) are never touched.
// - A run holds DIR/.dlclaims.lock (created exclusively, holding its PID) from before its claims run until its files
//   are in place; a second run into the same folder refuses at once with one line (exit 3). A lock whose PID is dead
//   is taken over.
// - The owned entries (OWNED) are written complete into DIR/.staging-PID, marked complete, then swapped in one by one
//   (the old ones moved to DIR/.old-PID, then deleted). A run killed while staging leaves the old report whole; one
//   killed during the swap leaves a complete staging folder that the next run finishes swapping in (roll forward);
//   either way the next run removes the leftovers of dead runs, also those of the earlier writer that staged beside
//   DIR (`.DIR.staging-PID`, `.DIR.old-PID`).
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { EnvironmentError, fail, InputError, readInputText } from '../formats.ts';

/** The entries the report writer owns inside the report folder; anything else there is never touched. */
export const OWNED = ['report.json', 'REPORT.md', 'run-info.json', 'figures'];
export const LOCK = '.dlclaims.lock';
const STAGING = /^\.staging-(\d+)$/;
const OLD = /^\.old-(\d+)$/;
const COMPLETE = '.complete';

/** Whether a process with this PID exists (EPERM: it exists, under another user); our own PID is alive. */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const lexists = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** Refuses (exit 2) an output file path that is a folder or whose parent is a file. */
export function checkOutputFile(path: string, label: string): void {
  if (path === '') fail(label, 'empty file name');
  if (existsSync(path) && statSync(path).isDirectory()) fail(label, `${path} is a folder; give the path of a file`);
  const parent = dirname(resolve(path));
  if (existsSync(parent) && !statSync(parent).isDirectory()) fail(label, `${parent} is not a folder`);
}

/** Removes `.NAME.PID.tmp` files of dead runs beside `path`. */
function removeDeadTemporaries(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  const prefix = `.${name}.`;
  for (const e of entries) {
    if (!e.startsWith(prefix) || !e.endsWith('.tmp')) continue;
    const pid = Number(e.slice(prefix.length, -4));
    if (Number.isInteger(pid) && !pidAlive(pid)) rmSync(join(dir, e), { force: true });
  }
}

/** Writes `content` to `path` atomically: a temporary file beside it, flushed, then renamed; removed on failure. */
export function writeFileAtomic(path: string, content: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  if (existsSync(path) && statSync(path).isDirectory()) fail('--out', `${path} is a folder; give the path of a file`);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    const buf = Buffer.from(content, 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing
      }
    }
    rmSync(tmp, { force: true });
    throw e;
  }
  removeDeadTemporaries(dir, basename(path));
}

/** Files other dlclaims commands keep in the default report folder (the writer never touches them). */
export const KEPT = ['flake.json', 'bench.json', 'mutation.json', 'cross-backend.json', 'full'];

/**
 * Whether `dir` holds a dlclaims report: a report.json of format report-v1, or a report.json (a regular file) among
 * nothing but the names of a dlclaims report folder (OWNED, KEPT, the writer's lock and leftovers).
 */
export function holdsReport(dir: string): boolean {
  const p = join(dir, 'report.json');
  try {
    if (!lstatSync(p).isFile()) return false;
    if (readdirSync(dir).every((e) => OWNED.includes(e) || KEPT.includes(e) || isWriterEntry(e))) return true;
    const doc = JSON.parse(readInputText(p, 'report.json')) as { format?: unknown };
    return doc !== null && typeof doc === 'object' && doc.format === 'report-v1';
  } catch {
    return false;
  }
}

const isWriterEntry = (name: string) => name === LOCK || STAGING.test(name) || OLD.test(name);

/** An open report folder: locked for this run until release(). */
export interface ReportDir {
  /** The real path written to (symlinks resolved). */
  dir: string;
  /** Replaces the owned entries by `files` (relative path → content); other entries are not touched. */
  write(files: Map<string, string>): void;
  /** Removes the lock (idempotent). */
  release(): void;
}

/** Validates `--out`, takes its lock and clears leftovers of dead runs. See the header for the rules. */
export function openReportDir(outArg: string, label = '--out'): ReportDir {
  if (outArg === '') fail(label, 'empty folder name');
  const abs = resolve(outArg);
  let target: string;
  if (lexists(abs)) {
    try {
      target = realpathSync(abs);
    } catch (e) {
      fail(label, `${outArg} is a symbolic link to a missing or unreadable path (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!statSync(target).isDirectory()) fail(label, `${outArg} is a file, not a folder`);
  } else {
    mkdirSync(abs, { recursive: true });
    target = realpathSync(abs);
  }
  if (target === sep || dirname(target) === target) fail(label, `${outArg} is the root folder; give a folder of its own`);
  const cwd = realpathSync(process.cwd());
  if (cwd === target || cwd.startsWith(target + sep)) fail(label, `${outArg} is the current folder or one of its ancestors; give a folder of its own (e.g. reports)`);
  const entries = readdirSync(target);
  const foreign = entries.filter((e) => !isWriterEntry(e));
  if (foreign.length > 0 && !holdsReport(target) && !entries.some((e) => e === LOCK || STAGING.test(e))) {
    fail(label, `${outArg} is a non-empty folder without a dlclaims report (no report.json of format report-v1); give a new or empty folder`);
  }
  const lockPath = join(target, LOCK);
  acquireLock(lockPath, outArg);
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if (readFileSync(lockPath, 'utf8').split('\n')[0] === String(process.pid)) unlinkSync(lockPath);
    } catch {
      // gone already
    }
  };
  process.on('exit', release);
  try {
    recoverLeftovers(target);
  } catch (e) {
    release();
    throw e;
  }
  return {
    dir: target,
    write(files) {
      if (!held) throw new Error('report folder written after release');
      stageAndSwap(target, files);
    },
    release,
  };
}

function acquireLock(lockPath: string, outArg: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      try {
        writeSync(fd, `${process.pid}\n${hostname()}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    let fresh = false;
    try {
      pid = Number(readFileSync(lockPath, 'utf8').split('\n')[0]);
      fresh = Date.now() - statSync(lockPath).mtimeMs < 10_000;
    } catch {
      continue; // removed meanwhile: try again
    }
    // An empty lock younger than 10 s belongs to a run between creating and filling it.
    if (pidAlive(pid) || (!Number.isInteger(pid) && fresh) || (pid === 0 && fresh)) {
      throw new EnvironmentError(
        `${outArg}: locked by another dlclaims run (PID ${Number.isInteger(pid) && pid > 0 ? pid : 'unknown'}, ${lockPath}); wait for it to finish, or remove the lock file if no run is active`,
        lockPath,
        'EBUSY',
      );
    }
    rmSync(lockPath, { force: true }); // its run is dead
  }
  throw new EnvironmentError(`${outArg}: could not take the lock ${lockPath} (another run keeps taking it)`, lockPath, 'EBUSY');
}

/** Under the lock: finish or discard what dead runs left in `dir` and beside it. */
function recoverLeftovers(dir: string): void {
  for (const e of readdirSync(dir)) {
    const m = STAGING.exec(e);
    if (!m || pidAlive(Number(m[1]))) continue;
    const staging = join(dir, e);
    if (existsSync(join(staging, COMPLETE))) swapIn(dir, staging, join(dir, `.old-${m[1]}`));
    else rmSync(staging, { recursive: true, force: true });
  }
  for (const e of readdirSync(dir)) {
    const m = OLD.exec(e);
    if (m && !pidAlive(Number(m[1]))) rmSync(join(dir, e), { recursive: true, force: true });
  }
  // The earlier writer staged beside the folder; the folder exists, so its leftovers are stale copies.
  const parent = dirname(dir);
  const re = new RegExp(`^\\.${basename(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(staging|old)-(\\d+)$`);
  let siblings: string[] = [];
  try {
    siblings = readdirSync(parent);
  } catch {
    // unreadable parent: nothing to clean there
  }
  for (const e of siblings) {
    const m = re.exec(e);
    if (m && !pidAlive(Number(m[2]))) rmSync(join(parent, e), { recursive: true, force: true });
  }
}

function ownedPath(rel: string): boolean {
  const parts = rel.split(/[\\/]/);
  return OWNED.includes(parts[0]!) && !parts.some((p) => p === '..' || p === '.' || p === '') && (parts.length === 1 || parts[0] === 'figures');
}

function stageAndSwap(dir: string, files: Map<string, string>): void {
  for (const rel of files.keys()) if (!ownedPath(rel)) throw new InputError(`report writer: ${rel} is not a file the writer owns (${OWNED.join(', ')})`);
  const staging = join(dir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    for (const [rel, content] of files) {
      mkdirSync(dirname(join(staging, rel)), { recursive: true });
      writeFileSync(join(staging, rel), content);
    }
    // The names of the new report: entries of the old one not among them are removed by the swap.
    const names = OWNED.filter((n) => existsSync(join(staging, n)));
    const fd = openSync(join(staging, COMPLETE), 'w');
    try {
      writeSync(fd, names.join('\n') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  swapIn(dir, staging, join(dir, `.old-${process.pid}`));
}

/** Moves the owned entries of a complete staging folder into `dir`, the replaced ones into `old`, then deletes both. */
function swapIn(dir: string, staging: string, old: string): void {
  const names = new Set(readFileSync(join(staging, COMPLETE), 'utf8').split('\n').filter((n) => OWNED.includes(n)));
  mkdirSync(old, { recursive: true });
  // report.json last: until it moves, the folder still reads as the previous report.
  for (const name of [...OWNED].reverse()) {
    const from = join(staging, name);
    const to = join(dir, name);
    if (names.has(name) && !lexists(from)) continue; // swapped in already (a run that was killed midway)
    if (lexists(to)) {
      rmSync(join(old, name), { recursive: true, force: true });
      renameSync(to, join(old, name));
    }
    if (names.has(name)) renameSync(from, to);
  }
  rmSync(staging, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}

/** Writes a report folder in one call: open (validate, lock, recover), write, release. */
export function writeReportDir(outDir: string, files: Map<string, string>): void {
  const d = openReportDir(outDir);
  try {
    d.write(files);
  } finally {
    d.release();
  }
}
