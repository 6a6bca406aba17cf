// Linear Frequency Principle: the `lfp` tool's input checks and the claims' verdicts. The judges' exact properties on
// synthetic measurements are in properties/judges/lfp.test.ts, those of theory/lfp*.ts in properties/theory/lfp*.test.ts
// (both mutation-tested).
import { describe, expect, it } from 'vitest';
import { tool } from '../cli/tools/lfp.ts';
import { claims } from '../experiments/lfp/index.ts';
import { expectVerdicts } from './helpers.ts';
import { InputError } from '../core/formats.ts';

describe('lfp tool input checks (exit 2 through InputError)', () => {
  const bad = (argv: string[]) => () => tool.run(argv);
  it('refuses missing or negative coefficients and degenerate nodes', () => {
    const dir = new URL('../fixtures/lfp/', import.meta.url).pathname;
    expect(bad(['--data', `${dir}c4-1d.json`, '--x', `${dir}c4-1d.json`, '--b', '1'])).toThrow(InputError);
    expect(bad(['--a', '-1', '--b', '1'])).toThrow(/--a/);
    expect(bad(['--a', '0', '--b', '0'])).toThrow(/not both zero/);
    expect(bad(['--a', 'x', '--b', '1'])).toThrow(InputError);
  });
});

expectVerdicts(claims, 'lfp');
