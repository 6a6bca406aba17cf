// The JSON tools, by command name. Loaded lazily so `dlclaims report` does not pay for them.
import type { Tool } from './types.ts';

export const TOOLS: Record<string, () => Promise<Tool>> = {
  forward: async () => (await import('./forward.ts')).tool,
  'loss-grad': async () => (await import('./loss-grad.ts')).tool,
  ntk: async () => (await import('./ntk.ts')).tool,
  embed: async () => (await import('./embed.ts')).tool,
  lfp: async () => (await import('./lfp.ts')).tool,
  maxmargin: async () => (await import('./maxmargin.ts')).tool,
  bench: async () => (await import('./bench.ts')).tool,
};
