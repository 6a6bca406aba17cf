// `lfp --data D --x P --a A --b B` → {"y": [...]}: the LFP long-time solution from a zero initial function with
// γ(ξ)² = A|ξ|^-(d+1) + B|ξ|^-(d+3), ĝ(ξ) = ∫ g e^(−2πiξ·x) dx (DESIGN.md "Tool contracts"; theory/lfp.ts).
import { assertFiniteOutput, fail, parseData, parsePoints, readJson } from '../../core/formats.ts';
import { lfpSolve, nodeProblem, nullSpaceDegree } from '../../theory/lfp.ts';
import { parseArgs } from '../args.ts';
import { capPoints, capWork, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'lfp --data DATA.json --x POINTS.json --a A --b B   (γ² = A|ξ|^-(d+1) + B|ξ|^-(d+3), ξ in cycles)',
  run(argv) {
    const args = parseArgs(argv, { valued: ['data', 'x', 'a', 'b'] });
    noPositionals(args);
    const a = args.num('a');
    const b = args.num('b');
    if (a === undefined) fail('--a', 'required');
    if (b === undefined) fail('--b', 'required');
    if (a < 0) fail('--a', `must be ≥ 0, got ${a}`);
    if (b < 0) fail('--b', `must be ≥ 0, got ${b}`);
    if (a === 0 && b === 0) fail('--a/--b', 'not both zero (γ² would vanish)');
    // The long-time solution does not change when γ² is multiplied by a constant, so solve with (a, b)/max(a, b):
    // --a 1e-320 --b 0 (a subnormal scale) then gives the same answer as --a 1.
    const scale = Math.max(a, b);
    const an = a / scale;
    const bn = b / scale;
    if ((a > 0 && an === 0) || (b > 0 && bn === 0)) fail('--a/--b', `the ratio of a = ${a} and b = ${b} is beyond float64's range`);
    const data = parseData(readJson(args.need('data'), '--data'), 'data', { outputs: 1 });
    capPoints(data.x.rows, TOOL_LIMITS.lfpNodes, 'data.x', 'a dense LU solve of the nodes, O(n³)');
    const problem = nodeProblem(data.x, nullSpaceDegree(bn));
    if (problem) fail('data.x', problem);
    const x = parsePoints(readJson(args.need('x'), '--x'), 'x', data.x.cols);
    capPoints(x.rows, TOOL_LIMITS.lfpPoints, 'x.x', 'evaluation points per call');
    capWork(x.rows * data.x.rows * data.x.cols, 'x.x', 'points × nodes × dimension');
    return assertFiniteOutput({ y: Array.from(lfpSolve(data.x, data.y.data, x, an, bn)) }, 'data/x', 'the solution overflows float64 (coordinates or values too large for the kernel |x|³)');
  },
};
