// The dlclaims command line. Exit codes: 0 ok, 1 a check failed (regression, claim verdict), 2 bad input,
// 3 the environment failed (disk, permissions, lock, a missing optional package), 4 internal error; one line on
// stderr (cli/errors.ts). Startup stays light: --help, --version, per-command --help and an unknown command load no
// claim, engine or renderer; each command's module loads only when it runs.
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { installErrorPath, reportFailure } from './errors.ts';
import { TOOLS } from './tools/index.ts';
import { trace } from '../core/report/trace.ts';

const CLAIMS_OPTS = `  --claims A.ts,B.js   claim modules to use instead of dlclaims.config.{json,js,mjs,ts} (default: the config in
                       the working directory, else the built-in claims)
  --config FILE        a config file other than ./dlclaims.config.*`;

/** Per-command help (`dlclaims CMD --help`); the first line is also the summary in `dlclaims --help`. */
export const USAGE: Record<string, string> = {
  report: `dlclaims report [--tier ci|full] [--out DIR] [--seed N] [--only ID,...] [--jobs N] [--shard I/N]
  Runs the claims and writes DIR (default reports/): report.json, REPORT.md, figures/, run-info.json.
  --shard I/N          run every N-th claim starting at the I-th and write DIR/shard-I-of-N.json (see merge)
dlclaims report --check [--out DIR] [--only ID,...] [--shard I/N] [--junit FILE] [--json FILE] [--md]
  Regenerates the CI tier and compares it with DIR/report.json (verdicts, then drift beyond declared tolerances).
  --junit FILE, --json FILE   write the result as JUnit XML / JSON; --md prints a Markdown table (PR comments)
  With GITHUB_ACTIONS set: ::error annotations and a job summary in $GITHUB_STEP_SUMMARY.
  DLCLAIMS_CACHE=1 reuses results of unchanged claims (.dlclaims-cache/; see docs/contracts.md "Result cache").
${CLAIMS_OPTS}
  Exit: 0 as expected / no differences, 1 a verdict or a difference, 2 bad input, 3 missing optional package.`,
  merge: `dlclaims merge SHARD.json... [--out DIR]
  Assembles the shard files of \`report --shard I/N\` into DIR (default reports/), byte-identical to an unsharded run
  (run-info.json apart). Needs all N shards of one run and the same claims (config) as the shards.
${CLAIMS_OPTS}`,
  diff: `dlclaims diff OLD.json NEW.json [--junit FILE] [--json FILE] [--md]
  Verdict changes, then metric drift beyond declared tolerances, then configuration changes (tier, seed, engine).
  Exit 1 when anything differs.`,
  list: `dlclaims list
  The claims, with their expected verdicts.
${CLAIMS_OPTS}`,
  run: `dlclaims run CLAIM [--tier ci|full] [--seed N]
  Runs one claim and prints its verdict as JSON; exit 1 unless it is the expected one.
${CLAIMS_OPTS}`,
  flake: `dlclaims flake [--seeds 20] [--first SEED] [--only ID,...] [--jobs N] [--out FILE]
  Verdict stability over master seeds (default reports/flake.json).
${CLAIMS_OPTS}`,
  init: `dlclaims init [--dir claims] [--id family.name]
  Scaffolds a claim, its rival control and a vitest file in DIR, and dlclaims.config.json listing them.`,
};

const TOOL_USAGE = 'JSON tool: reads the flags documented in docs/contracts.md and prints one JSON object.';

const HELP = `dlclaims: claims of deep-learning theory as seeded, falsifiable checks

${Object.values(USAGE)
  .map((u) => '  ' + u.split('\n')[0])
  .join('\n')}
  dlclaims report --check [--junit FILE] [--json FILE] [--md]
  dlclaims forward | loss-grad | ntk | embed | lfp | maxmargin | bench ...   JSON tools (docs/contracts.md)
  dlclaims --version | CMD --help`;

function version(): string {
  // dist/cli/main.js and cli/main.ts both find the package.json of the package they belong to.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const p = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'dlclaims') return p.version ?? 'unknown';
    } catch {
      // try the next
    }
  }
  return 'unknown';
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  trace('main', { cmd, origin: performance.timeOrigin });
  installErrorPath();
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
      process.stdout.write(`dlclaims ${version()}\n`);
      return 0;
    }
    const wantsHelp = rest.includes('--help') || rest.includes('-h');
    // Own properties only: `dlclaims constructor` or `__proto__` is an unknown command, not Object.prototype's.
    const tool = Object.hasOwn(TOOLS, cmd) ? TOOLS[cmd] : undefined;
    if (tool) {
      if (wantsHelp) {
        process.stdout.write(`dlclaims ${cmd}: ${TOOL_USAGE}\n`);
        return 0;
      }
      const out = await (await tool()).run(rest);
      process.stdout.write(JSON.stringify(out) + '\n');
      return 0;
    }
    if (cmd === '__worker') return await (await import('./worker.ts')).worker(rest);
    if (!Object.hasOwn(USAGE, cmd)) throw new InputError(`${cmd}: unknown command (try dlclaims --help)`);
    if (wantsHelp && Object.hasOwn(USAGE, cmd)) {
      process.stdout.write(USAGE[cmd] + '\n');
      return 0;
    }
    const { COMMANDS } = await import('./commands.ts');
    const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (!command) throw new InputError(`${cmd}: unknown command (try dlclaims --help)`);
    return await command(rest);
  } catch (e) {
    return reportFailure(e);
  }
}
