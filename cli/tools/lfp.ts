// `lfp --data D --x P --a A --b B` → {"y": [...]}: the LFP long-time solution from a zero initial function with
// γ(ξ)² = A|ξ|^-(d+1) + B|ξ|^-(d+3), ĝ(ξ) = ∫ g e^(−2πiξ·x) dx (DESIGN.md "Tool contracts"; theory/lfp.ts).
import { fail, parseData, parsePoints, readJson } from '../../core/formats.ts';
import { lfpSolve, nodeProblem, nullSpaceDegree } from '../../theory/lfp.ts';
import { parseArgs } from '../args.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'lfp --data DATA.json --x POINTS.json --a A --b B   (γ² = A|ξ|^-(d+1) + B|ξ|^-(d+3), ξ in cycles)',
  run(argv) {
    const args = parseArgs(argv, { valued: ['data', 'x', 'a', 'b'] });
    const a = args.num('a');
    const b = args.num('b');
    if (a === undefined) fail('--a', 'required');
    if (b === undefined) fail('--b', 'required');
    if (a < 0) fail('--a', `must be ≥ 0, got ${a}`);
    if (b < 0) fail('--b', `must be ≥ 0, got ${b}`);
    if (a === 0 && b === 0) fail('--a/--b', 'not both zero (γ² would vanish)');
    const data = parseData(readJson(args.need('data'), '--data'), 'data', { outputs: 1 });
    const problem = nodeProblem(data.x, nullSpaceDegree(b));
    if (problem) fail('data.x', problem);
    const x = parsePoints(readJson(args.need('x'), '--x'), 'x', data.x.cols);
    return { y: Array.from(lfpSolve(data.x, data.y.data, x, a, b)) };
  },
};
