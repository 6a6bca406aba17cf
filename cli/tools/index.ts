// The JSON tools, by command name. Loaded lazily so `dlclaims report` does not pay for them.
// Every tool's answer passes one last check: a tool never prints a non-finite number (JSON.stringify would turn it
// into null); each tool refuses with the field that caused it first, this is the safety net behind them.
import type { Tool } from './types.ts';

function guarded(name: string, load: () => Promise<{ tool: Tool }>): () => Promise<Tool> {
  return async () => {
    const [{ tool }, { assertFiniteOutput }] = await Promise.all([load(), import('../../core/formats.ts')]);
    return { usage: tool.usage, run: async (argv) => assertFiniteOutput(await tool.run(argv), name, 'the answer is not finite in float64') };
  };
}

export const TOOLS: Record<string, () => Promise<Tool>> = {
  forward: guarded('forward', () => import('./forward.ts')),
  'loss-grad': guarded('loss-grad', () => import('./loss-grad.ts')),
  ntk: guarded('ntk', () => import('./ntk.ts')),
  embed: guarded('embed', () => import('./embed.ts')),
  lfp: guarded('lfp', () => import('./lfp.ts')),
  maxmargin: guarded('maxmargin', () => import('./maxmargin.ts')),
  bench: guarded('bench', () => import('./bench.ts')),
};
