// `embed` tool: see DESIGN.md "Tool contracts". Not built yet: it refuses every call.
import { InputError } from '../../core/formats.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'embed (not built yet)',
  run() {
    throw new InputError('embed: not built yet');
  },
};
