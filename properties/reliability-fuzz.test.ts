// A fast-check fuzz of the JSON tools' command lines (the reliability issue's "Done means"): a valid call of each
// tool is mutated in its option strings (a value replaced by a hostile token, `--name=value` forms, a flag given a
// value, an option repeated or dropped, an option where a value belongs) and in the kinds of file it names (a
// regular file, malformed JSON, a folder, a FIFO, /dev/zero, a symlink, a dangling symlink, a file over the 64 MiB
// cap, a BOM-prefixed file, an empty file). Every call must be answered with finite JSON or refused with one
// InputError line; any other exception is a crash, and a FIFO or /dev/zero that blocked or grew would time out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOOLS } from '../cli/tools/index.ts';
import { firstNonFinite, InputError, MAX_INPUT_BYTES } from '../core/formats.ts';
import { FC } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'dlclaims-relfuzz-'));
const put = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const net = { format: 'mlp-v1', activation: 'tanh', parameterization: 'ntk', sigmaW: 1.3, sigmaB: 0.2, layers: [{ W: [[0.3, -0.2], [0.1, 0.4]], b: [0.1, 0] }, { W: [[0.7], [-0.5]], b: [0.2] }] };
const FILES = {
  net: put('net.json', JSON.stringify(net)),
  points: put('points.json', JSON.stringify({ x: [[0.1, 0.2], [0.5, -0.3], [1, 1]] })),
  data: put('data.json', JSON.stringify({ x: [[0.1, 0.2], [0.5, -0.3], [1, 1]], y: [1, -1, 1] })),
  sep: put('sep.json', JSON.stringify({ x: [[1, 0.2], [-0.5, -0.3], [1, 1]], y: [1, -1, 1] })),
  lfpData: put('lfp-data.json', JSON.stringify({ x: [[0], [0.4], [1]], y: [1, 0, 2] })),
  lfpPoints: put('lfp-points.json', JSON.stringify({ x: [[0.2], [0.7]] })),
};
const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo]);
const folder = join(dir, 'folder');
mkdirSync(folder);
const oversized = put('oversized.json', '');
truncateSync(oversized, MAX_INPUT_BYTES + 1);
symlinkSync(FILES.points, join(dir, 'link.json'));
symlinkSync(join(dir, 'missing.json'), join(dir, 'dangling.json'));

/** File kinds a careless or hostile user names instead of the expected file. */
const KINDS: string[] = [
  ...Object.values(FILES),
  put('malformed.json', '{"x": [[1, 2'),
  put('empty.json', ''),
  put('bom.json', '\ufeff' + JSON.stringify({ x: [[0.1, 0.2]] })),
  put('esc.json', JSON.stringify({ x: [[0.1, '\u001b[2J']] })),
  put('proto.json', '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}, "x": [[1, 2]]}'),
  folder,
  fifo,
  '/dev/zero',
  join(dir, 'link.json'),
  join(dir, 'dangling.json'),
  oversized,
];

/** Hostile or careless option values. */
const TOKENS = ['0', '1', '-1', '2', '0.5', '1e300', '-1e300', '1e-320', '1e308', 'NaN', 'Infinity', '9007199254740993', '1e9', 'abc', '0x10', ' 3 ', '=', '--jobs', '--', 'relu', 'erf', 'exp', 'logistic', '\u001b[2J'];

/** One valid call per tool (flag, value pairs and bare flags). */
const VALID: Record<string, string[][]> = {
  forward: [['--net', FILES.net], ['--x', FILES.points]],
  'loss-grad': [['--net', FILES.net], ['--data', FILES.data]],
  ntk: [['--net', FILES.net], ['--x', FILES.points]],
  'ntk --analytic': [['--analytic'], ['--activation', 'relu'], ['--depth', '2'], ['--sigma-w', '1.5'], ['--sigma-b', '0.1'], ['--x', FILES.points]],
  embed: [['--net', FILES.net], ['--layer', '1'], ['--neuron', '1'], ['--alpha', '0.3']],
  lfp: [['--data', FILES.lfpData], ['--x', FILES.lfpPoints], ['--a', '0.5'], ['--b', '0.2']],
  maxmargin: [['--data', FILES.sep], ['--steps', '300'], ['--loss', 'exp']],
};

type Mutation =
  | { kind: 'file'; at: number; file: number }
  | { kind: 'value'; at: number; token: number }
  | { kind: 'inline'; at: number }
  | { kind: 'flag-value'; at: number; token: number }
  | { kind: 'repeat'; at: number }
  | { kind: 'drop'; at: number }
  | { kind: 'option-as-value'; at: number; other: number }
  | { kind: 'junk'; token: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('file' as const), at: fc.nat(20), file: fc.nat(KINDS.length - 1) }),
  fc.record({ kind: fc.constant('value' as const), at: fc.nat(20), token: fc.nat(TOKENS.length - 1) }),
  fc.record({ kind: fc.constant('inline' as const), at: fc.nat(20) }),
  fc.record({ kind: fc.constant('flag-value' as const), at: fc.nat(20), token: fc.nat(TOKENS.length - 1) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(20) }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(20) }),
  fc.record({ kind: fc.constant('option-as-value' as const), at: fc.nat(20), other: fc.nat(20) }),
  fc.record({ kind: fc.constant('junk' as const), token: fc.nat(TOKENS.length - 1) }),
);

function apply(groups: string[][], ms: Mutation[]): string[] {
  let g = groups.map((x) => [...x]);
  for (const m of ms) {
    if (m.kind === 'junk') {
      g.push([TOKENS[m.token]!]);
      continue;
    }
    if (g.length === 0) continue;
    const i = m.at % g.length;
    const grp = g[i]!;
    if (m.kind === 'file') {
      if (grp.length === 2) grp[1] = KINDS[m.file]!;
    } else if (m.kind === 'value') {
      if (grp.length === 2) grp[1] = TOKENS[m.token]!;
    } else if (m.kind === 'inline') {
      if (grp.length === 2) g[i] = [`${grp[0]}=${grp[1]}`];
    } else if (m.kind === 'flag-value') {
      if (grp.length === 1 && grp[0]!.startsWith('--')) g[i] = [`${grp[0]}=${TOKENS[m.token]}`];
    } else if (m.kind === 'repeat') {
      g.push([...grp]);
    } else if (m.kind === 'drop') {
      g = g.filter((_, k) => k !== i);
    } else if (m.kind === 'option-as-value') {
      const other = g[m.other % g.length]![0]!;
      if (grp.length === 2) grp[1] = other;
    }
  }
  return g.flat();
}

describe('tool command lines and file kinds: answered with finite JSON or refused with one line, never a crash or hang', () => {
  for (const [name, groups] of Object.entries(VALID)) {
    const tool = name.split(' ')[0]!;
    it(`${name}: the valid call is answered`, async () => {
      const out = await (await TOOLS[tool]!()).run(groups.flat());
      expect(firstNonFinite(out)).toBeNull();
    });
    it(`${name}: mutated option strings and file kinds`, async () => {
      const seen = { answered: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
          const argv = apply(groups, ms);
          const t0 = performance.now();
          try {
            const out = await (await TOOLS[tool]!()).run(argv);
            expect(firstNonFinite(out), `${name} ${JSON.stringify(argv)}`).toBeNull();
            seen.answered++;
          } catch (e) {
            if (!(e instanceof InputError)) throw new Error(`${name} ${JSON.stringify(argv)} crashed: ${(e as Error).stack}`);
            expect(e.message).not.toContain('\n');
            seen.refused++;
          }
          expect(performance.now() - t0, `${name} ${JSON.stringify(argv)} took too long`).toBeLessThan(20_000);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        }),
        { ...FC, numRuns: 150 },
      );
      expect(seen.refused).toBeGreaterThan(20); // the mutations are noticed
    }, 300_000);
  }
});
