// `lfp` tool: see DESIGN.md "Tool contracts". Not built yet: it refuses every call.
import { InputError } from '../../core/formats.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'lfp (not built yet)',
  run() {
    throw new InputError('lfp: not built yet');
  },
};
