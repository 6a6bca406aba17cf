// Reliability under hostile and careless use (the issue "Reliability under hostile and careless use"): each
// reproduction of the issue replayed, with the behaviour it must have now. The CLI is spawned as users call it
// (`node bin/dlclaims.mjs ...` from a temporary folder); the writer's and parser's functions are called directly
// where that says the same thing faster. No claim trains here except the two cheap ones a real report needs.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LIMITS, parseArgs, selectClaims } from '../cli/args.ts';
import { classify, oneLine, reportFailure } from '../cli/errors.ts';
import { TOOLS } from '../cli/tools/index.ts';
import { EnvironmentError, InputError, MAX_INPUT_BYTES } from '../core/formats.ts';
import { canonicalJson } from '../core/report/canonical.ts';
import { LOCK, openReportDir, writeFileAtomic, writeReportDir } from '../core/report/write.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/dlclaims.mjs');
const CHEAP = 'maxmargin.log-rate.squared-loss'; // the cheapest claim (a closed-form run, well under a second)
const dir = mkdtempSync(join(tmpdir(), 'dlclaims-rel-'));

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** Spawns the CLI in `cwd` (default: the test folder); a run past `timeoutMs` is killed and reported as code null. */
function cli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? dir, env: { ...process.env, DLCLAIMS_DEBUG: '', ...opts.env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: signal ? null : code, out, err, ms: Date.now() - t0 });
    });
  });
}

/** The promised refusal: the exit code, nothing on stdout, one printable line on stderr, no stack trace. */
function expectOneLine(r: Run, code: number, message: RegExp): void {
  expect(r.code, r.err).toBe(code);
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at /);
  // eslint-disable-next-line no-control-regex
  expect(r.err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\ufeff]/);
}

const net = {
  format: 'mlp-v1',
  activation: 'relu',
  parameterization: 'standard',
  sigmaW: 1,
  sigmaB: 0,
  layers: [
    { W: [[1], [-1]], b: [0.5] },
    { W: [[2]], b: [-1] },
  ],
};
const netPath = file('net.json', net);
const xPath = file('x.json', { x: [[1, 0], [0, 1]] });

/** A report folder written by the real CLI (cheap claim), made once and copied by the tests that need one. */
let reportJson = '';

async function tool(name: string, argv: string[]): Promise<unknown> {
  return (await TOOLS[name]!()).run(argv);
}

async function refusal(name: string, argv: string[]): Promise<string> {
  try {
    await tool(name, argv);
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error(`${name} ${argv.join(' ')} was answered, not refused`);
}

// ---------------------------------------------------------------------------------------------------------
// Commands run through the CLI, started together (each is a node process; most refuse within a second of start-up).
// ---------------------------------------------------------------------------------------------------------
const runs: Record<string, Promise<Run>> = {};
const sub = mkdtempSync(join(dir, 'cwd-'));

beforeAll(async () => {
  const user = join(dir, 'user');
  mkdirSync(user);
  writeFileSync(join(user, 'notes.txt'), 'mine\n');
  writeFileSync(join(dir, 'plain.txt'), 'a file\n');
  mkdirSync(join(dir, 'flakedir'));
  file('bad-flake.json', { seeds: { first: 1, count: 1 }, claims: [null] });
  const started: [string, string[], { cwd?: string; env?: Record<string, string> }?][] = [
    ['cmd constructor', ['constructor']],
    ['cmd __proto__', ['__proto__']],
    ['cmd toString', ['toString']],
    ['bench engine constructor', ['bench', '--workload', 'fp1d', '--engine', 'constructor']],
    ['engine env __proto__', ['run', CHEAP], { env: { DLCLAIMS_ENGINE: '__proto__' } }],
    ['worker direct', ['__worker']],
    ['out root', ['report', '--only', CHEAP, '--jobs', '1', '--out', '/']],
    ['out dot', ['report', '--only', CHEAP, '--jobs', '1', '--out', '.'], { cwd: sub }],
    ['out through file', ['report', '--only', CHEAP, '--jobs', '1', '--out', 'plain.txt/sub']],
    ['out foreign folder', ['report', '--only', CHEAP, '--jobs', '1', '--out', 'user']],
    ['out option as value', ['report', '--out', '--jobs', '1']],
    ['only twice', ['report', '--only', `${CHEAP},${CHEAP}`]],
    ['check tier full', ['report', '--check', '--tier', 'full']],
    ['seed too large', ['report', '--seed', '123456789012345678']],
    ['jobs 1000', ['report', '--jobs', '1000']],
    ['flake seeds 1e9', ['flake', '--seeds', '1e9']],
    ['flake out dir', ['flake', '--seeds', '1', '--only', CHEAP, '--out', 'flakedir']],
    ['flake null row', ['flake', '--seeds', '1', '--only', CHEAP, '--out', 'bad-flake.json']],
    ['bench all out dir', ['bench', '--all', '--out', 'flakedir']],
  ];
  // The real report first (it must finish for the tests that copy it), then the refusals, a few at a time.
  runs.report = cli(['report', '--only', CHEAP, '--jobs', '1', '--out', 'rep'], { timeoutMs: 400_000 });
  const queue = [...started];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const [name, args, opts] = job;
        runs[name] = cli(args, opts);
        await runs[name];
      }
    }),
  );
  await runs.report;
  reportJson = readFileSync(join(dir, 'rep', 'report.json'), 'utf8');
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one error path: lookups through Object.prototype are unknown names (exit 2, one line)', () => {
  for (const name of ['constructor', '__proto__', 'toString']) {
    it(`dlclaims ${name}`, async () => expectOneLine(await runs[`cmd ${name}`]!, 2, new RegExp(`${name.replace(/_/g, '_')}: unknown command`)));
  }
  it('bench --engine constructor', async () => expectOneLine(await runs['bench engine constructor']!, 2, /unknown engine "constructor"/));
  it('DLCLAIMS_ENGINE=__proto__ dlclaims run ...', async () => expectOneLine(await runs['engine env __proto__']!, 2, /DLCLAIMS_ENGINE: unknown engine "__proto__"/));
  it('dlclaims __worker, run by hand, says what it is instead of exiting 13 silently', async () => expectOneLine(await runs['worker direct']!, 2, /__worker: internal command/));
});

describe('the report writer owns only its own files', () => {
  it('refuses --out that is empty, /, the current folder, an ancestor of it, or a file (exit 2, before any claim runs)', async () => {
    expectOneLine(await runs['out root']!, 2, /--out: \/ is the root folder/);
    expectOneLine(await runs['out dot']!, 2, /--out: \. is the current folder or one of its ancestors/);
    const cwd = process.cwd();
    try {
      process.chdir(sub);
      expect(() => openReportDir('')).toThrow(/--out: empty folder name/);
      expect(() => openReportDir('/')).toThrow(/--out: \/ is the root folder/);
      expect(() => openReportDir('.')).toThrow(/current folder or one of its ancestors/);
      expect(() => openReportDir('..')).toThrow(/current folder or one of its ancestors/);
      expect(() => openReportDir('../plain.txt')).toThrow(/--out: \.\.\/plain\.txt is a file, not a folder/);
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(sub)).toEqual([]);
  });
  it('a path through a file is an environment failure naming the path and the errno (exit 3)', async () => {
    expectOneLine(await runs['out through file']!, 3, /plain\.txt\/sub: ENOTDIR/);
  });
  it('refuses a non-empty folder without a dlclaims report and leaves it as it was', async () => {
    expectOneLine(await runs['out foreign folder']!, 2, /user is a non-empty folder without a dlclaims report/);
    expect(readdirSync(join(dir, 'user'))).toEqual(['notes.txt']);
  });
  it('writes a report into a new folder, leaving no lock or staging behind', async () => {
    const r = await runs.report!;
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(join(dir, 'rep')).sort()).toEqual(['REPORT.md', 'figures', 'report.json', 'run-info.json']);
    expect(readdirSync(dir).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  function reportFolder(name: string): string {
    const d = join(dir, name);
    mkdirSync(join(d, 'figures'), { recursive: true });
    writeFileSync(join(d, 'report.json'), reportJson);
    writeFileSync(join(d, 'REPORT.md'), 'old\n');
    writeFileSync(join(d, 'figures', 'old.svg'), '<svg/>');
    return d;
  }
  const files = () => new Map([['report.json', reportJson], ['REPORT.md', 'new\n'], ['run-info.json', '{}\n'], ['figures/new.svg', '<svg/>']]);

  it("never copies, re-modes, re-owns or relinks the user's files: mode 700, hard links, relative symlinks, FIFO, socket, full/", async () => {
    const d = reportFolder('keep');
    chmodSync(d, 0o700);
    writeFileSync(join(d, 'bench.json'), '{"mine":1}');
    linkSync(join(d, 'bench.json'), join(dir, 'hardlink-to-bench.json'));
    symlinkSync('bench.json', join(d, 'rel-link'));
    spawnSync('mkfifo', [join(d, 'fifo')]);
    const server = createServer();
    await new Promise<void>((ok) => server.listen(join(d, 'sock'), ok));
    mkdirSync(join(d, 'full'));
    for (let i = 0; i < 50; i++) writeFileSync(join(d, 'full', `f${i}`), String(i));
    const before = { dir: statSync(d), bench: statSync(join(d, 'bench.json')) };
    writeReportDir(d, files());
    const after = { dir: statSync(d), bench: statSync(join(d, 'bench.json')) };
    expect(after.dir.mode & 0o777).toBe(0o700);
    expect(after.dir.ino).toBe(before.dir.ino);
    expect([after.dir.uid, after.dir.gid]).toEqual([before.dir.uid, before.dir.gid]);
    expect(after.bench.ino).toBe(before.bench.ino);
    expect(after.bench.nlink).toBe(2);
    expect(readlinkSync(join(d, 'rel-link'))).toBe('bench.json');
    expect(lstatSync(join(d, 'fifo')).isFIFO()).toBe(true);
    expect(lstatSync(join(d, 'sock')).isSocket()).toBe(true);
    server.close();
    expect(readdirSync(join(d, 'full'))).toHaveLength(50);
    expect(readFileSync(join(d, 'REPORT.md'), 'utf8')).toBe('new\n');
    expect(readdirSync(join(d, 'figures'))).toEqual(['new.svg']);
    expect(readdirSync(d).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('--out LINK writes into the folder the link points to and keeps the link', () => {
    const d = reportFolder('target');
    symlinkSync(d, join(dir, 'link'));
    writeReportDir(join(dir, 'link'), files());
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'REPORT.md'), 'utf8')).toBe('new\n');
  });

  it('holds an exclusive lock for the whole run: a second writer refuses with one line (exit 3)', () => {
    const d = reportFolder('locked');
    const first = openReportDir(d);
    try {
      expect(existsSync(join(d, LOCK))).toBe(true);
      expect(() => openReportDir(d)).toThrow(EnvironmentError);
      try {
        openReportDir(d);
      } catch (e) {
        expect(classify(e).code).toBe(3);
        expect(classify(e).line).toMatch(/locked by another dlclaims run \(PID \d+/);
      }
      first.write(files());
    } finally {
      first.release();
    }
    expect(existsSync(join(d, LOCK))).toBe(false);
    writeReportDir(d, files()); // free again
  });

  it('two concurrent report runs into one folder: one writes, the other refuses at once; full/ keeps every file', async () => {
    const d = reportFolder('concurrent');
    mkdirSync(join(d, 'full'));
    for (let i = 0; i < 300; i++) writeFileSync(join(d, 'full', `f${i}`), String(i));
    const [a, b] = await Promise.all([1, 2].map((s) => cli(['report', '--only', 'maxmargin.log-rate.squared-loss', '--jobs', '1', '--seed', String(s), '--out', d])));
    const codes = [a!.code, b!.code].sort();
    expect(codes, a!.err + b!.err).toEqual([0, 3]);
    const loser = a!.code === 3 ? a! : b!;
    expectOneLine(loser, 3, /locked by another dlclaims run/);
    expect(readdirSync(join(d, 'full'))).toHaveLength(300);
    expect(JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')).format).toBe('report-v1');
    expect(readdirSync(d).filter((e) => e.startsWith('.'))).toEqual([]);
  }, 300_000);

  /** A PID that no process has now: a child that has exited. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(r.stdout);
  }

  it('a run killed while staging: the next run removes its .staging-PID and .old-PID (and the old writer\'s beside the folder)', () => {
    const d = reportFolder('killed-staging');
    const pid = deadPid();
    mkdirSync(join(d, `.staging-${pid}`, 'figures'), { recursive: true });
    for (let i = 0; i < 100; i++) writeFileSync(join(d, `.staging-${pid}`, 'figures', `f${i}.svg`), '<svg/>');
    mkdirSync(join(d, `.old-${pid}`));
    writeFileSync(join(d, LOCK), `${pid}\n`);
    mkdirSync(join(dir, `.killed-staging.staging-${pid}`));
    mkdirSync(join(dir, `.killed-staging.old-${pid}`));
    writeFileSync(join(dir, `.killed-staging.old-${pid}`, 'report.json'), '{}');
    writeReportDir(d, files());
    expect(readdirSync(d).filter((e) => e.startsWith('.'))).toEqual([]);
    expect(readdirSync(dir).filter((e) => e.startsWith('.killed-staging'))).toEqual([]);
    expect(readFileSync(join(d, 'REPORT.md'), 'utf8')).toBe('new\n');
  });

  it('a run killed in the middle of the swap: the next run finishes it (roll forward), so the report is whole again', () => {
    const d = reportFolder('killed-swap');
    const pid = deadPid();
    const staging = join(d, `.staging-${pid}`);
    mkdirSync(join(staging, 'figures'), { recursive: true });
    writeFileSync(join(staging, 'report.json'), reportJson.replace('"report-v1"', '"report-v1" ')); // the new report
    writeFileSync(join(staging, 'REPORT.md'), 'staged\n');
    writeFileSync(join(staging, 'figures', 'staged.svg'), '<svg/>');
    writeFileSync(join(staging, '.complete'), 'report.json\nREPORT.md\nfigures\n');
    // killed after figures were swapped: the old figures are in .old-PID, the new ones in place
    mkdirSync(join(d, `.old-${pid}`));
    rmSync(join(d, 'figures'), { recursive: true });
    mkdirSync(join(d, 'figures'));
    writeFileSync(join(d, 'figures', 'staged.svg'), '<svg/>');
    rmSync(join(staging, 'figures'), { recursive: true });
    const opened = openReportDir(d);
    opened.release();
    expect(readFileSync(join(d, 'REPORT.md'), 'utf8')).toBe('staged\n');
    expect(readFileSync(join(d, 'report.json'), 'utf8')).toContain('"report-v1" ');
    expect(readdirSync(join(d, 'figures'))).toEqual(['staged.svg']);
    expect(readdirSync(d).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('a failed write leaves the previous report whole and no staging folder', () => {
    const d = reportFolder('failed');
    expect(() => writeReportDir(d, new Map([['report.json', 'x'], ['../escape', 'y']]))).toThrow(InputError);
    expect(() => writeReportDir(d, new Map([['report.json', 'x'], ['report.json/x', 'y']]))).toThrow();
    expect(readFileSync(join(d, 'report.json'), 'utf8')).toBe(reportJson);
    expect(readdirSync(d).filter((e) => e.startsWith('.'))).toEqual([]);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
  });
});

describe('atomic writes of report.json, bench.json and flake.json', () => {
  it('a failed rename removes the temporary file; a successful write removes dead runs\' temporaries', () => {
    const d = mkdtempSync(join(dir, 'atomic-'));
    mkdirSync(join(d, 'bench.json'));
    expect(() => writeFileAtomic(join(d, 'bench.json'), '{}')).toThrow(/is a folder/);
    const pid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(d, `.flake.json.${pid}.tmp`), 'partial');
    writeFileAtomic(join(d, 'flake.json'), '{"ok":true}\n');
    expect(readdirSync(d).sort()).toEqual(['bench.json', 'flake.json']);
    expect(readFileSync(join(d, 'flake.json'), 'utf8')).toBe('{"ok":true}\n');
  });
  it('flake --out DIR and bench --all --out DIR are refused before any work (exit 2), leaving no temporary file', async () => {
    expectOneLine(await runs['flake out dir']!, 2, /--out: .*flakedir is a folder/);
    expectOneLine(await runs['bench all out dir']!, 2, /--out: .*flakedir is a folder/);
    expect(readdirSync(join(dir, 'flakedir'))).toEqual([]);
  });
  it('a flake.json with claims: [null] is refused before the first seed runs, not after the last', async () => {
    const r = await runs['flake null row']!;
    expectOneLine(r, 2, /claims\[0\] is not a flake row/);
    expect(r.ms).toBeLessThan(60_000);
    expect(readdirSync(dir).filter((e) => e.includes('.tmp'))).toEqual([]);
  });
});

describe('exit codes: environment failures are 3, naming the path and errno; internal errors 4; never a stack trace', () => {
  const sys = (code: string, syscall: string, path: string) => Object.assign(new Error(`${code}: x, ${syscall} '${path}'`), { code, syscall, path });
  for (const [code, text] of [['ENOSPC', 'no space left on device'], ['EROFS', 'read-only file system'], ['EBUSY', 'resource busy'], ['EACCES', 'permission denied'], ['ENOTDIR', 'a path component is not a folder'], ['EISDIR', 'is a folder']] as const) {
    it(`${code} → 3, one line with the path and ${code}`, () => {
      const c = classify(sys(code, 'open', '/out/report.json'));
      expect(c.code).toBe(3);
      expect(c.line).toBe(`open /out/report.json: ${code} (${text})`);
    });
  }
  it('out-of-memory RangeErrors (Invalid string length, Invalid typed array length) → 3; anything else → 4', () => {
    expect(classify(new RangeError('Invalid string length')).code).toBe(3);
    expect(classify(new RangeError('Invalid typed array length: 1000000000000')).code).toBe(3);
    expect(classify(new TypeError('x is not a function'))).toEqual({ code: 4, line: expect.stringMatching(/^internal error: TypeError: x is not a function .*DLCLAIMS_DEBUG/) });
  });
  it('the stack trace appears only with DLCLAIMS_DEBUG set', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const old = process.env.DLCLAIMS_DEBUG;
    try {
      delete process.env.DLCLAIMS_DEBUG;
      expect(reportFailure(new TypeError('boom'))).toBe(4);
      expect(String(spy.mock.calls.at(-1)![0]).split('\n').filter(Boolean)).toHaveLength(1);
      process.env.DLCLAIMS_DEBUG = '1';
      reportFailure(new TypeError('boom'));
      expect(String(spy.mock.calls.at(-1)![0])).toMatch(/\n\s+at /);
    } finally {
      spy.mockRestore();
      if (old === undefined) delete process.env.DLCLAIMS_DEBUG;
      else process.env.DLCLAIMS_DEBUG = old;
    }
  });
  it('EPIPE on stdout (dlclaims list | head -1): quiet, exit 0', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" list | head -1; echo "codes \${PIPESTATUS[0]}"`], { encoding: 'utf8', cwd: dir });
    expect(r.stdout).toMatch(/codes 0\n$/);
    expect(r.stderr).toBe('');
  }, 120_000);
  it('control characters from input never reach the terminal raw; a BOM is not an invisible character', async () => {
    expect(oneLine('x\u001b]0;title\u0007\u001b[2J\u202e\ufeff')).toBe('x\\u001b]0;title\\u0007\\u001b[2J\\u202e\\ufeff');
    const msg = await refusal('forward', ['--net', netPath, '--x', file('esc.json', '{"x":[[1,"\\u001b[2J\\u001b]0;pwned\\u0007"]]}')]);
    expect(oneLine(msg)).not.toMatch(/\u001b/);
    expect(await tool('forward', ['--net', netPath, '--x', file('bom.json', '\ufeff{"x":[[1,0]]}')])).toEqual({ y: [[2]] });
  });
});

describe('bounded work: input files and sizes', () => {
  const fifo = join(dir, 'fifo-in');
  beforeAll(() => {
    spawnSync('mkfifo', [fifo]);
  });
  it('--x /dev/zero, a FIFO, a folder, a socket-like non-file: refused without reading (no growth, no hang)', async () => {
    expect(await refusal('forward', ['--net', netPath, '--x', '/dev/zero'])).toMatch(/--x: \/dev\/zero is not a regular file \(a character device\)/);
    expect(await refusal('forward', ['--net', netPath, '--x', fifo])).toMatch(/is not a regular file \(a FIFO\)/);
    expect(await refusal('forward', ['--net', netPath, '--x', dir])).toMatch(/is not a regular file \(a directory\)/);
  });
  it(`a file over ${MAX_INPUT_BYTES / 2 ** 20} MiB is refused from its size, at once`, async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_INPUT_BYTES + 1); // sparse: no disk used
    const t0 = Date.now();
    expect(await refusal('forward', ['--net', netPath, '--x', big])).toMatch(/over the input limit of 67108864 bytes \(64 MiB\)/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it('a symlink to a regular file is followed', async () => {
    symlinkSync(xPath, join(dir, 'x-link.json'));
    expect(await tool('forward', ['--net', netPath, '--x', join(dir, 'x-link.json')])).toEqual({ y: [[2], [-1]] });
  });
  it('ntk with 6000 points (and 10⁶) is refused naming the 5000-point limit, not an Invalid string length trace', async () => {
    const pts = (n: number) => file(`pts${n}.json`, { x: Array.from({ length: n }, (_, i) => [i / n, 1 - i / n]) });
    const scalar = file('scalar.json', net);
    expect(await refusal('ntk', ['--net', scalar, '--x', pts(6000)])).toMatch(/x\.x: 6000 points, over the limit of 5000/);
    expect(await refusal('ntk', ['--net', scalar, '--x', pts(1_000_000)])).toMatch(/x\.x: 1000000 points, over the limit of 5000/);
    expect(await refusal('ntk', ['--analytic', '--activation', 'relu', '--depth', '1', '--sigma-w', '1', '--sigma-b', '0', '--x', pts(6000)])).toMatch(/over the limit of 5000/);
  });
  it('--steps 1e300, --depth 1e9, flake --seeds 1e9, --jobs 1000, --seed 123456789012345678: one line naming the limit', async () => {
    const sep = file('sep.json', { x: [[1, 0], [-1, 0.5]], y: [1, -1] });
    expect(await refusal('maxmargin', ['--data', sep, '--steps', '1e300'])).toMatch(/--steps: 1e300 is over the limit of 10000000/);
    expect(await refusal('ntk', ['--analytic', '--activation', 'relu', '--depth', '1e9', '--sigma-w', '1', '--sigma-b', '0', '--x', xPath])).toMatch(/--depth: 1e9 is over the limit of 100/);
    expectOneLine(await runs['flake seeds 1e9']!, 2, /--seeds: 1e9 is over the limit of 1000/);
    expectOneLine(await runs['jobs 1000']!, 2, /--jobs: 1000 is over the limit of \d+ \(the cores available here\)/);
    expectOneLine(await runs['seed too large']!, 2, /--seed: 123456789012345678 is over the limit of 9007199254740991/);
  });
});

describe('checked outputs: a tool never prints a non-finite number', () => {
  it('forward on an overflowing net: refused naming net', async () => {
    const big = file('overflow.json', { ...net, activation: 'linear', layers: [{ W: [[1e200], [1]], b: [0] }, { W: [[1e200]], b: [0] }] });
    expect(await refusal('forward', ['--net', big, '--x', xPath])).toMatch(/^net: the network overflows float64/);
  });
  it('loss-grad with y = 1e308: refused naming data', async () => {
    expect(await refusal('loss-grad', ['--net', netPath, '--data', file('y308.json', { x: [[1, 0], [0, 1]], y: [1e308, -1e308] })])).toMatch(/^data: the loss or its gradient overflows float64/);
  });
  it('ntk --sigma-w 1e200 (analytic and empirical): refused naming the field', async () => {
    expect(await refusal('ntk', ['--analytic', '--activation', 'relu', '--depth', '2', '--sigma-w', '1e200', '--sigma-b', '0', '--x', xPath])).toMatch(/^--sigma-w\/--sigma-b\/x: the kernels overflow/);
    const ntkNet = file('ntk-big.json', { ...net, parameterization: 'ntk', sigmaW: 1e200, sigmaB: 0 });
    expect(await refusal('ntk', ['--net', ntkNet, '--x', xPath])).toMatch(/^net: the kernel overflows/);
  });
  it('lfp --a 1e-320 --b 0 answers as --a 1 (γ² normalized; the answer does not depend on its scale); x = 1e300 is refused', async () => {
    const data = file('lfp-d.json', { x: [[0], [1], [2]], y: [1, 2, 0] });
    const at = file('lfp-x.json', { x: [[0.5], [1.5]] });
    const tiny = await tool('lfp', ['--data', data, '--x', at, '--a', '1e-320', '--b', '0']);
    expect(tiny).toEqual(await tool('lfp', ['--data', data, '--x', at, '--a', '1', '--b', '0']));
    expect(await tool('lfp', ['--data', data, '--x', at, '--a', '3e300', '--b', '1e300'])).toEqual(await tool('lfp', ['--data', data, '--x', at, '--a', '3', '--b', '1']));
    expect(await refusal('lfp', ['--data', file('lfp-big.json', { x: [[0], [1e300], [2]], y: [1, 2, 0] }), '--x', at, '--a', '1', '--b', '1'])).toMatch(/^data\/x: the solution overflows/);
  });
  it('embed --alpha 1e308 is refused (output preservation would fail: 0.2 vs 0.2587); alpha in range preserves the output', async () => {
    const tanhNet = file('tanh.json', { ...net, activation: 'tanh', layers: [{ W: [[0.3, -0.2], [0.1, 0.4]], b: [0.1, 0] }, { W: [[0.7], [-0.5]], b: [0.2] }] });
    expect(await refusal('embed', ['--net', tanhNet, '--layer', '1', '--neuron', '0', '--alpha', '1e308'])).toMatch(/^--alpha: 1e308 is outside \[-499999\.5, 500000\.5\]/);
    const wide = await tool('embed', ['--net', tanhNet, '--layer', '1', '--neuron', '0', '--alpha', '4e5']);
    const y0 = ((await tool('forward', ['--net', tanhNet, '--x', xPath])) as { y: number[][] }).y;
    const y1 = ((await tool('forward', ['--net', file('wide.json', wide), '--x', xPath])) as { y: number[][] }).y;
    y0.forEach((r, i) => expect(Math.abs(y1[i]![0]! - r[0]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(r[0]!))));
  });
});

describe('options are read exactly', () => {
  const p = (argv: string[]) => parseArgs(argv, { valued: ['net', 'alpha', 'out', 'jobs', 'only', 'seed'], booleans: ['check', 'analytic'] });
  it('--net=/a=b.json names /a=b.json; --alpha=0.5=7 is refused as a number', () => {
    expect(p(['--net=/a=b.json']).get('net')).toBe('/a=b.json');
    expect(() => p(['--alpha=0.5=7']).num('alpha')).toThrow(/--alpha: expected a finite number, got "0.5=7"/);
  });
  it('--check=no and --analytic=false are refused, not read as on', async () => {
    expect(() => p(['--check=no'])).toThrow(/--check: takes no value/);
    expect(() => p(['--analytic=false'])).toThrow(/--analytic: takes no value/);
    expect(await refusal('ntk', ['--analytic=false', '--x', xPath])).toMatch(/--analytic: takes no value/);
  });
  it('--out --jobs 1 is a missing value, not a folder named --jobs', async () => {
    expect(() => p(['--out', '--jobs', '1'])).toThrow(/--out: missing value \(the next argument is the option "--jobs"/);
    expect(p(['--out=--jobs']).get('out')).toBe('--jobs');
    expectOneLine(await runs['out option as value']!, 2, /--out: missing value/);
    expect(existsSync(join(dir, '--jobs'))).toBe(false);
  });
  it("--only '' selects nothing silently no more; --only X,X is refused", async () => {
    const reg = [{ id: 'a.b' }, { id: 'c.d' }];
    expect(() => selectClaims(p(['--only', '']), reg)).toThrow(/--only: empty value/);
    expect(() => selectClaims(p(['--only', 'a.b,']), reg)).toThrow(/--only: empty claim id/);
    expect(() => selectClaims(p(['--only', 'a.b,a.b']), reg)).toThrow(/--only: claim "a.b" is listed twice/);
    expect(selectClaims(p(['--only', 'c.d,a.b']), reg)).toEqual([{ id: 'c.d' }, { id: 'a.b' }]);
    expectOneLine(await runs['only twice']!, 2, /listed twice/);
  });
  it('an option given twice is refused', () => {
    expect(() => p(['--seed', '1', '--seed', '2'])).toThrow(/--seed: given twice/);
  });
  it('report --check --tier full is refused: --check compares the CI tier', async () => {
    expectOneLine(await runs['check tier full']!, 2, /--tier: report --check compares the CI tier only/);
  });
  it('seeds are exact integers up to 2^53 − 1 and recorded exactly; larger ones are refused', () => {
    const max = String(Number.MAX_SAFE_INTEGER);
    expect(p(['--seed', max]).intIn('seed', 0, LIMITS.seed)).toBe(Number.MAX_SAFE_INTEGER);
    expect(canonicalJson({ masterSeed: Number.MAX_SAFE_INTEGER })).toContain(max);
    expect(() => p(['--seed', '9007199254740992']).intIn('seed', 0, LIMITS.seed)).toThrow(/over the limit of 9007199254740991/);
    expect(() => p(['--seed', '-1']).intIn('seed', 0, LIMITS.seed)).toThrow(/≥ 0/);
    expect(() => p(['--seed', '1.5']).intIn('seed', 0, LIMITS.seed)).toThrow(/expected an integer/);
  });
});

describe('report integrity: diff refuses duplicate ids and a summary that disagrees with the claims', () => {
  it('a duplicate id (a stale "inconclusive" first) is refused, not compared as "no differences"', async () => {
    const r = JSON.parse(reportJson);
    const stale = { ...r.claims[0], status: 'inconclusive', reason: 'stale' };
    const dup = { ...r, claims: [stale, ...r.claims], summary: { ...r.summary, claims: r.summary.claims + 1, inconclusive: r.summary.inconclusive + 1 } };
    const a = file('a.json', r);
    const b = file('dup.json', dup);
    const bad = file('summary.json', { ...r, summary: { ...r.summary, holds: r.summary.holds + 1 } });
    const [d1, d2, ok] = await Promise.all([cli(['diff', a, b]), cli(['diff', a, bad]), cli(['diff', a, a])]);
    expectOneLine(d1!, 2, /dup\.json: claim ".*" appears more than once/);
    expectOneLine(d2!, 2, /summary\.json: summary\.holds is \d+ but the claims give \d+/);
    expect(ok!.code, ok!.err).toBe(0);
    expect(ok!.out).toBe('no differences beyond declared tolerances\n');
  }, 120_000);
});
