// The dlclaims command line. Exit codes: 0 ok, 1 a check failed (regression, claim verdict), 2 bad input,
// 3 the environment failed (disk, permissions, lock), 4 internal error; one line on stderr (cli/errors.ts).
import { InputError } from '../core/formats.ts';
import { installErrorPath, reportFailure } from './errors.ts';
import { TOOLS } from './tools/index.ts';

const HELP = `dlclaims: claims of deep-learning theory as seeded, falsifiable checks

  dlclaims report [--tier ci|full] [--out DIR] [--seed N] [--only ID,...]   regenerate the report (default reports/)
  dlclaims report --check                                     regenerate the CI tier and compare with reports/
  dlclaims diff OLD.json NEW.json                             verdict changes, then metric drift
  dlclaims list                                               the claims, with their expected verdicts
  dlclaims run CLAIM [--tier ci|full] [--seed N]              run one claim and print its verdict
  dlclaims flake [--seeds 20] [--only ID,...]                  verdict stability over master seeds (reports/flake.json)
  dlclaims forward | loss-grad | ntk | embed | lfp | maxmargin | bench ...   JSON tools (DESIGN.md contracts)`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  installErrorPath();
  try {
    if (!cmd || cmd === '--help' || cmd === 'help') {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    // Own properties only: `dlclaims constructor` or `__proto__` is an unknown command, not Object.prototype's.
    const tool = Object.hasOwn(TOOLS, cmd) ? TOOLS[cmd] : undefined;
    if (tool) {
      const out = await (await tool()).run(rest);
      process.stdout.write(JSON.stringify(out) + '\n');
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
