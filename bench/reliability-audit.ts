// The reliability audit: scripted hostile and careless CLI runs (the reliability issue's ~330), classified the way
// the issue counted them. Run: `npx tsx bench/reliability-audit.ts [--jobs 3] [--json FILE]`.
//   clean refusal  : expected a refusal; exit 2 (bad input) or 3 (environment), nothing on stdout, one printable line
//   answered       : expected an answer; exit 0 (or 1 for a check) and the output passes the case's check
//   wrong success  : exit 0 where a refusal was due, or an answer that fails its check (null/NaN in JSON, wrong value)
//   false refusal  : a refusal where an answer was due
//   crash          : a stack trace, a signal, exit 4 or any other code, or a refusal of more than one line
//   hang           : still running at the case's time limit (killed)
// Then concurrent runs into one --out and report runs killed with SIGKILL at several moments.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/dlclaims.mjs');
const CHEAP = 'maxmargin.log-rate.squared-loss'; // the cheapest claim (a closed-form run, well under a second)
const arg = (n: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const JOBS = Number(arg('jobs') ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'dlclaims-audit-'));
const put = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

type Expect = 'answer' | 'refuse';
interface Case {
  name: string;
  args: string[];
  expect: Expect;
  /** For answers: a check of stdout (true = right). */
  check?: (out: string) => boolean;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  shell?: string;
}
interface Result {
  name: string;
  category: 'clean refusal' | 'answered' | 'wrong success' | 'false refusal' | 'crash' | 'hang';
  code: number | null;
  err: string;
  ms: number;
}

function run(c: Case): Promise<{ code: number | null; out: string; err: string; ms: number; timedOut: boolean }> {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = c.shell
      ? spawn('bash', ['-c', c.shell], { cwd: c.cwd ?? dir, env: { ...process.env, DLCLAIMS_DEBUG: '', ...c.env } })
      : spawn(process.execPath, [BIN, ...c.args], { cwd: c.cwd ?? dir, env: { ...process.env, DLCLAIMS_DEBUG: '', ...c.env } });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (out.length < 1e6 ? (out += d) : undefined));
    child.stderr.on('data', (d) => (err.length < 1e5 ? (err += d) : undefined));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, c.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: signal ? null : code, out, err, ms: Date.now() - t0, timedOut });
    });
  });
}

const finiteJson = (out: string) => {
  try {
    const v = JSON.parse(out);
    return !/null|NaN|Infinity/.test(out) && v !== null;
  } catch {
    return false;
  }
};

function classify(c: Case, r: Awaited<ReturnType<typeof run>>): Result['category'] {
  if (r.timedOut) return 'hang';
  const trace = /\n\s+at |^\s+at /m.test(r.err);
  if (trace || r.code === null || ![0, 1, 2, 3].includes(r.code)) return 'crash';
  if (r.code === 2 || r.code === 3) {
    const lines = r.err.trimEnd().split('\n');
    // eslint-disable-next-line no-control-regex
    if (lines.length !== 1 || r.out !== '' || /[\u0000-\u0009\u000b-\u001f\u007f]/.test(r.err)) return 'crash';
    return c.expect === 'refuse' ? 'clean refusal' : 'false refusal';
  }
  if (c.expect === 'refuse') return 'wrong success';
  return (c.check ?? finiteJson)(r.out) ? 'answered' : 'wrong success';
}

// ---------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------
const net = { format: 'mlp-v1', activation: 'relu', parameterization: 'standard', sigmaW: 1, sigmaB: 0, layers: [{ W: [[1], [-1]], b: [0.5] }, { W: [[2]], b: [-1] }] };
const F = {
  net: put('net.json', net),
  x: put('x.json', { x: [[1, 0], [0, 1]] }),
  data: put('data.json', { x: [[1, 0], [0, 1]], y: [1, -1] }),
  sep: put('sep.json', { x: [[1, 0.2], [-0.5, -0.3], [1, 1]], y: [1, -1, 1] }),
  lfpData: put('lfp-data.json', { x: [[0], [1], [2]], y: [1, 2, 0] }),
  lfpX: put('lfp-x.json', { x: [[0.5], [1.5]] }),
  x1: put('x1.json', { x: [[0.5, 0.25]] }),
};
const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo]);
mkdirSync(join(dir, 'folder'));
const oversized = put('oversized.json', '');
truncateSync(oversized, 64 * 2 ** 20 + 1);
const big200 = put('big200.json', '');
truncateSync(big200, 200 * 2 ** 20);
symlinkSync(F.x, join(dir, 'link-x.json'));
symlinkSync(F.net, join(dir, 'link-net.json'));
symlinkSync(F.data, join(dir, 'link-data.json'));
symlinkSync(F.sep, join(dir, 'link-sep.json'));
symlinkSync(F.lfpData, join(dir, 'link-lfp-data.json'));
symlinkSync(F.lfpX, join(dir, 'link-lfp-x.json'));
symlinkSync(join(dir, 'missing'), join(dir, 'dangling.json'));
const socketPath = join(dir, 'sock');
const pts = (n: number, d = 2) => put(`pts${n}.json`, `{"x":[${Array.from({ length: n }, (_, i) => `[${Array.from({ length: d }, (_, k) => ((i * (k + 1)) % 97) / 97).join(',')}]`).join(',')}]}`);

/** Hostile file kinds for a file option; `valid` (a symlink to) the right file, BOM-prefixed copies are answers. */
function fileKinds(validPath: string, linkPath: string): [string, string, Expect][] {
  const text = readFileSync(validPath, 'utf8');
  const base = validPath.split('/').pop()!;
  return [
    ['malformed', put(`malformed-${base}`, text.slice(0, Math.floor(text.length / 2))), 'refuse'],
    ['empty', put(`empty-${base}`, ''), 'refuse'],
    ['folder', join(dir, 'folder'), 'refuse'],
    ['FIFO', fifo, 'refuse'],
    ['/dev/zero', '/dev/zero', 'refuse'],
    ['/dev/null', '/dev/null', 'refuse'],
    ['socket', socketPath, 'refuse'],
    ['dangling symlink', join(dir, 'dangling.json'), 'refuse'],
    ['missing', join(dir, 'nope.json'), 'refuse'],
    ['oversized (64 MiB + 1)', oversized, 'refuse'],
    ['200 MB', big200, 'refuse'],
    ['symlink to valid', linkPath, 'answer'],
    ['BOM + valid', put(`bom-${base}`, '\ufeff' + text), 'answer'],
    ['proto keys + wrong shape', put(`proto-${base}`, '{"__proto__":{"polluted":1},"constructor":{"prototype":{}}}'), 'refuse'],
    ['ESC in a string', put(`esc-${base}`, JSON.stringify({ x: [[1, '\u001b]0;pwned\u0007\u001b[2J']], format: '\u001b[2J' })), 'refuse'],
  ];
}

const cases: Case[] = [];
const add = (name: string, args: string[], expect: Expect, extra: Partial<Case> = {}) => cases.push({ name, args, expect, ...extra });

// Tools: valid calls, then every file option with every file kind.
const TOOL_CALLS: [string, [string, string, string][], string[]][] = [
  ['forward', [['--net', F.net, join(dir, 'link-net.json')], ['--x', F.x, join(dir, 'link-x.json')]], []],
  ['loss-grad', [['--net', F.net, join(dir, 'link-net.json')], ['--data', F.data, join(dir, 'link-data.json')]], []],
  ['ntk', [['--net', F.net, join(dir, 'link-net.json')], ['--x', F.x, join(dir, 'link-x.json')]], []],
  ['ntk', [['--x', F.x, join(dir, 'link-x.json')]], ['--analytic', '--activation', 'relu', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.1']],
  ['embed', [['--net', F.net, join(dir, 'link-net.json')]], ['--layer', '1', '--neuron', '0', '--alpha', '0.3']],
  ['lfp', [['--data', F.lfpData, join(dir, 'link-lfp-data.json')], ['--x', F.lfpX, join(dir, 'link-lfp-x.json')]], ['--a', '1', '--b', '0.5']],
  ['maxmargin', [['--data', F.sep, join(dir, 'link-sep.json')]], ['--steps', '1000']],
];
for (const [tool, fileOpts, rest] of TOOL_CALLS) {
  const label = `${tool}${rest[0] === '--analytic' ? ' --analytic' : ''}`;
  const valid = [...fileOpts.flatMap(([o, p]) => [o, p]), ...rest];
  add(`${label}: valid`, [tool, ...valid], 'answer');
  for (const [opt, , link] of fileOpts) {
    for (const [kind, path, expect] of fileKinds(fileOpts.find((f) => f[0] === opt)![1], link)) {
      add(`${label} ${opt} ${kind}`, [tool, ...fileOpts.flatMap(([o, p]) => [o, o === opt ? path : p]), ...rest], expect);
    }
  }
  // Option strings
  const [o0, p0] = fileOpts[0]!;
  const others = [...fileOpts.slice(1).flatMap(([o, p]) => [o, p]), ...rest];
  add(`${label} ${o0}=PATH`, [tool, `${o0}=${p0}`, ...others], 'answer');
  add(`${label} ${o0}=/a=b.json`, [tool, `${o0}=/a=b.json`, ...others], 'refuse');
  add(`${label} ${o0} twice`, [tool, o0, p0, ...valid], 'refuse');
  add(`${label} ${o0} ''`, [tool, o0, '', ...others], 'refuse');
  add(`${label} ${o0} missing value`, [tool, ...others, o0], 'refuse');
  add(`${label} ${o0} --option`, [tool, o0, '--x', ...others], 'refuse');
  add(`${label} unknown option`, [tool, ...valid, '--frobnicate', '1'], 'refuse');
  add(`${label} stray positional`, [tool, ...valid, 'extra'], 'refuse');
  add(`${label} --json=yes`, [tool, ...valid, '--json=yes'], 'refuse');
}
// Numeric options: hostile values
const NUMERIC: [string, string[], string, string[]][] = [
  ['embed', ['--net', F.net, '--layer', '1', '--neuron', '0', '--alpha', '0.3'], '--layer', ['0', '2', '1.5', '1e300', 'NaN', '-1', '9007199254740993', 'abc']],
  ['embed', ['--net', F.net, '--layer', '1', '--neuron', '0', '--alpha', '0.3'], '--neuron', ['1', '-1', '0.5', '1e300', 'NaN', 'Infinity', '0x0=1', '']],
  ['embed', ['--net', F.net, '--layer', '1', '--neuron', '0', '--alpha', '0.3'], '--alpha', ['1e308', '-1e308', '1e7', 'NaN', 'Infinity', '0.5=7', '', '--layer']],
  ['lfp', ['--data', F.lfpData, '--x', F.lfpX, '--a', '1', '--b', '0.5'], '--a', ['-1', 'NaN', 'Infinity', '1e309', '', 'x']],
  ['lfp', ['--data', F.lfpData, '--x', F.lfpX, '--a', '1', '--b', '0.5'], '--b', ['-1', 'NaN', 'Infinity', '1e309', '', 'x']],
  ['maxmargin', ['--data', F.sep, '--steps', '1000'], '--steps', ['0', '-5', '1.5', '1e300', '1e8', '9007199254740993', 'NaN', '']],
  ['maxmargin', ['--data', F.sep, '--steps', '1000'], '--loss', ['hinge', '', '__proto__', 'constructor']],
  ['ntk', ['--analytic', '--activation', 'relu', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.1', '--x', F.x], '--depth', ['-1', '1e9', '101', '2.5', 'NaN', '']],
  ['ntk', ['--analytic', '--activation', 'relu', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.1', '--x', F.x], '--activation', ['tanh', 'constructor', '__proto__', '']],
  ['ntk', ['--analytic', '--activation', 'relu', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.1', '--x', F.x], '--sigma-w', ['NaN', 'Infinity', '1e200', '']],
];
for (const [tool, base, opt, values] of NUMERIC) {
  for (const v of values) {
    const args = [...base];
    args[args.indexOf(opt) + 1] = v;
    add(`${tool} ${opt} ${JSON.stringify(v)}`, [tool, ...args], 'refuse');
  }
}
// Boolean flags given values
add('ntk --analytic=false', ['ntk', '--analytic=false', '--activation', 'relu', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.1', '--x', F.x], 'refuse');
add('ntk --analytic=true', ['ntk', '--analytic=true', '--activation', 'relu', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.1', '--x', F.x], 'refuse');
// Non-finite results
const overflowNet = put('overflow.json', { ...net, activation: 'linear', layers: [{ W: [[1e200], [1]], b: [0] }, { W: [[1e200]], b: [0] }] });
add('forward on an overflowing net', ['forward', '--net', overflowNet, '--x', F.x], 'refuse');
add('loss-grad y = 1e308', ['loss-grad', '--net', F.net, '--data', put('y308.json', { x: [[1, 0], [0, 1]], y: [1e308, -1e308] })], 'refuse');
add('ntk --analytic --sigma-w 1e200', ['ntk', '--analytic', '--activation', 'relu', '--depth', '2', '--sigma-w', '1e200', '--sigma-b', '0', '--x', F.x], 'refuse');
add('ntk empirical sigmaW 1e200', ['ntk', '--net', put('ntk-big.json', { ...net, parameterization: 'ntk', sigmaW: 1e200 }), '--x', F.x], 'refuse');
const lfpRef = spawnSync(process.execPath, [BIN, 'lfp', '--data', F.lfpData, '--x', F.lfpX, '--a', '1', '--b', '0'], { encoding: 'utf8' }).stdout;
add('lfp --a 1e-320 --b 0 (same answer as --a 1)', ['lfp', '--data', F.lfpData, '--x', F.lfpX, '--a', '1e-320', '--b', '0'], 'answer', { check: (o) => o === lfpRef && finiteJson(o) });
add('lfp x = 1e300', ['lfp', '--data', put('lfp-1e300.json', { x: [[0], [1e300], [2]], y: [1, 2, 0] }), '--x', F.lfpX, '--a', '1', '--b', '1'], 'refuse');
add('lfp evaluation point 1e300', ['lfp', '--data', F.lfpData, '--x', put('lfp-x300.json', { x: [[1e300]] }), '--a', '1', '--b', '1'], 'refuse');
add('embed --alpha 1e308', ['embed', '--net', F.net, '--layer', '1', '--neuron', '0', '--alpha', '1e308'], 'refuse');
// Sizes
const scalarNet = F.net;
add('ntk 6000 points', ['ntk', '--net', scalarNet, '--x', pts(6000)], 'refuse');
add('ntk 10^6 points', ['ntk', '--net', scalarNet, '--x', pts(1_000_000)], 'refuse', { timeoutMs: 120_000 });
add('ntk --analytic 6000 points', ['ntk', '--analytic', '--activation', 'relu', '--depth', '1', '--sigma-w', '1', '--sigma-b', '0', '--x', join(dir, 'pts6000.json')], 'refuse');
add('forward 200 000 points', ['forward', '--net', F.net, '--x', pts(200_000)], 'refuse', { timeoutMs: 120_000 });
add('forward 6000 points', ['forward', '--net', F.net, '--x', join(dir, 'pts6000.json')], 'answer');
add('lfp 3000 nodes', ['lfp', '--data', put('lfp3000.json', { x: Array.from({ length: 3000 }, (_, i) => [i / 3000]), y: Array.from({ length: 3000 }, (_, i) => Math.sin(i)) }), '--x', F.lfpX, '--a', '1', '--b', '0'], 'refuse');
add('maxmargin 20 000 points', ['maxmargin', '--data', put('mm20k.json', { x: Array.from({ length: 20_000 }, (_, i) => [1 + (i % 7), i % 3]), y: Array.from({ length: 20_000 }, () => 1) })], 'refuse');
add('deeply nested JSON', ['forward', '--net', F.net, '--x', put('nested.json', '{"x":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}')], 'refuse');
// Prototype names and engines
for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) add(`dlclaims ${name}`, [name], 'refuse');
add('bench --engine constructor', ['bench', '--workload', 'fp1d', '--engine', 'constructor'], 'refuse');
add('bench --engine __proto__', ['bench', '--workload', 'fp1d', '--engine', '__proto__'], 'refuse');
add('bench --workload constructor', ['bench', '--workload', 'constructor'], 'refuse');
add('DLCLAIMS_ENGINE=__proto__ run', ['run', CHEAP], 'refuse', { env: { DLCLAIMS_ENGINE: '__proto__' } });
add('DLCLAIMS_ENGINE=constructor report', ['report', '--only', CHEAP, '--out', 'eng-rep'], 'refuse', { env: { DLCLAIMS_ENGINE: 'constructor' } });
add('command with ESC', ['\u001b]0;pwned\u0007\u001b[2J'], 'refuse');
add('__worker by hand', ['__worker'], 'refuse');
// Commands: report --out and options
writeFileSync(join(dir, 'plain.txt'), 'x');
mkdirSync(join(dir, 'user'));
writeFileSync(join(dir, 'user', 'notes.txt'), 'mine');
mkdirSync(join(dir, 'sub'));
const R = ['report', '--only', CHEAP, '--jobs', '1'];
add("report --out ''", [...R, '--out', ''], 'refuse');
add('report --out /', [...R, '--out', '/'], 'refuse');
add('report --out .', [...R, '--out', '.'], 'refuse', { cwd: join(dir, 'sub') });
add('report --out ..', [...R, '--out', '..'], 'refuse', { cwd: join(dir, 'sub') });
add('report --out FILE', [...R, '--out', 'plain.txt'], 'refuse');
add('report --out FILE/sub', [...R, '--out', 'plain.txt/sub'], 'refuse');
add('report --out foreign folder', [...R, '--out', 'user'], 'refuse');
add('report --out --jobs 1', ['report', '--out', '--jobs', '1'], 'refuse');
add('report --check=no', ['report', '--check=no'], 'refuse');
add('report --check --tier full', ['report', '--check', '--tier', 'full'], 'refuse');
add('report --seed 123456789012345678', ['report', '--seed', '123456789012345678'], 'refuse');
add('report --seed -1', ['report', '--seed', '-1'], 'refuse');
add('report --jobs 1000', ['report', '--jobs', '1000'], 'refuse');
add('report --jobs 0', ['report', '--jobs', '0'], 'refuse');
add("report --only ''", ['report', '--only', ''], 'refuse');
add('report --only X,X', ['report', '--only', `${CHEAP},${CHEAP}`], 'refuse');
add('report --only unknown', ['report', '--only', 'no.such-claim'], 'refuse');
add('report --tier huge', ['report', '--tier', 'huge'], 'refuse');
add('report positional', ['report', 'reports'], 'refuse');
add('report into a new folder', [...R, '--out', 'new-rep'], 'answer', { check: () => existsSync(join(dir, 'new-rep', 'report.json')), timeoutMs: 300_000 });
add('flake --seeds 1e9', ['flake', '--seeds', '1e9'], 'refuse');
add('flake --seeds 0', ['flake', '--seeds', '0'], 'refuse');
add('flake --out DIR', ['flake', '--seeds', '1', '--only', CHEAP, '--out', 'folder'], 'refuse');
add('flake claims: [null]', ['flake', '--seeds', '1', '--only', CHEAP, '--out', put('bad-flake.json', { seeds: { first: 1, count: 1 }, claims: [null] })], 'refuse');
add('flake --first 9007199254740991 --seeds 2', ['flake', '--first', '9007199254740991', '--seeds', '2'], 'refuse');
add('bench --all --out DIR', ['bench', '--all', '--out', 'folder'], 'refuse');
add('bench --all --reps 1e9', ['bench', '--all', '--reps', '1e9'], 'refuse');
add('bench --out without --all', ['bench', '--workload', 'fp1d', '--out', 'x.json'], 'refuse');
add('run unknown', ['run', 'no.such-claim'], 'refuse');
add('run two claims', ['run', CHEAP, CHEAP], 'refuse');
add('run --seed 1e300', ['run', CHEAP, '--seed', '1e300'], 'refuse');
add('list | head -1 (EPIPE)', [], 'answer', { shell: `"${process.execPath}" "${BIN}" list | head -1 >/dev/null; exit \${PIPESTATUS[0]}`, check: () => true });
add('diff missing', ['diff', 'nope.json', 'nope2.json'], 'refuse');
add('diff folder', ['diff', 'folder', 'folder'], 'refuse');
add('diff /dev/zero', ['diff', '/dev/zero', '/dev/zero'], 'refuse');
const committed = JSON.parse(readFileSync(join(ROOT, 'reports/report.json'), 'utf8'));
const goodReport = put('good-report.json', committed);
add('diff same report', ['diff', goodReport, goodReport], 'answer', { check: (o) => o === 'no differences beyond declared tolerances\n' });
add('diff duplicate ids', ['diff', goodReport, put('dup-report.json', { ...committed, claims: [{ ...committed.claims[0], status: 'inconclusive' }, ...committed.claims], summary: { ...committed.summary, claims: committed.summary.claims + 1, inconclusive: committed.summary.inconclusive + 1 } })], 'refuse');
add('diff summary disagrees', ['diff', goodReport, put('sum-report.json', { ...committed, summary: { ...committed.summary, holds: committed.summary.holds + 1 } })], 'refuse');
add('diff seed beyond 2^53', ['diff', goodReport, put('seed-report.json', JSON.stringify(committed).replace(/"masterSeed":\d+/, '"masterSeed":123456789012345678'))], 'refuse');
add('diff three args', ['diff', goodReport, goodReport, goodReport], 'refuse');

async function main() {
  // A socket for the file-kind cases.
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((ok) => server.listen(socketPath, ok));
  const results: Result[] = [];
  const queue = [...cases];
  let done = 0;
  await Promise.all(
    Array.from({ length: JOBS }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const r = await run(c);
        results.push({ name: c.name, category: classify(c, r), code: r.code, err: r.err.split('\n')[0]!.slice(0, 200), ms: r.ms });
        if (++done % 25 === 0) process.stderr.write(`audit: ${done}/${cases.length}\n`);
      }
    }),
  );
  server.close();

  // Concurrent runs into one --out holding a full/ folder of 3000 files.
  const conc = join(dir, 'conc');
  await run({ name: 'seed', args: ['report', '--only', 'maxmargin.log-rate.squared-loss', '--jobs', '1', '--out', conc], expect: 'answer', timeoutMs: 300_000 });
  mkdirSync(join(conc, 'full'));
  for (let i = 0; i < 3000; i++) writeFileSync(join(conc, 'full', `f${i}`), String(i));
  const concurrent = [];
  for (let round = 0; round < 3; round++) {
    const rs = await Promise.all([1, 2].map((s) => run({ name: 'c', args: ['report', '--only', 'maxmargin.log-rate.squared-loss', '--jobs', '1', '--seed', String(s + round), '--out', conc], expect: 'answer', timeoutMs: 300_000 })));
    concurrent.push({ codes: rs.map((r) => r.code), refusal: rs.find((r) => r.code === 3)?.err.trim() ?? null, fullFiles: readdirSync(join(conc, 'full')).length, leftovers: readdirSync(conc).filter((e) => e.startsWith('.')) });
  }

  // Report runs killed with SIGKILL at several moments; the report must stay whole, and the next run must clean up.
  const killed = [];
  for (const afterMs of [1500, 4000, 6500, 9000, 12000]) {
    const k = join(dir, `kill-${afterMs}`);
    await run({ name: 'seed', args: ['report', '--only', CHEAP, '--jobs', '1', '--out', k], expect: 'answer', timeoutMs: 300_000 });
    const before = readFileSync(join(k, 'report.json'), 'utf8');
    const r = await run({ name: 'k', args: ['report', '--only', CHEAP, '--jobs', '1', '--seed', '5', '--out', k], expect: 'answer', timeoutMs: afterMs });
    const after = existsSync(join(k, 'report.json')) ? readFileSync(join(k, 'report.json'), 'utf8') : '';
    const leftovers = readdirSync(k).filter((e) => e.startsWith('.'));
    const whole = after === before || JSON.parse(after).masterSeed === 5;
    const next = await run({ name: 'n', args: ['report', '--only', CHEAP, '--jobs', '1', '--out', k], expect: 'answer', timeoutMs: 300_000 });
    killed.push({ afterMs, killed: r.timedOut, reportWhole: whole, leftoversAfterKill: leftovers, nextRunCode: next.code, leftoversAfterNextRun: readdirSync(k).filter((e) => e.startsWith('.')) });
  }

  const counts: Record<string, number> = { tried: results.length, 'clean refusal': 0, answered: 0, 'wrong success': 0, 'false refusal': 0, crash: 0, hang: 0 };
  for (const r of results) counts[r.category]!++;
  const summary = { counts, notClean: results.filter((r) => r.category !== 'clean refusal' && r.category !== 'answered'), concurrent, killed };
  const text = JSON.stringify(summary, null, 2) + '\n';
  const out = arg('json');
  if (out) writeFileSync(out, text);
  process.stdout.write(text);
}

await main();
