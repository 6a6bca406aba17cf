// stryker.config.json mutates the claims' judges by line range (path:start-end), so that the experiment runners
// around them are not mutated. Line ranges go stale silently when code above a judge moves; this test fails first.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const config = JSON.parse(readFileSync('stryker.config.json', 'utf8')) as { mutate: string[] };
const ranged = config.mutate.filter((m) => /:\d+-\d+$/.test(m));

describe('stryker.config.json judge ranges', () => {
  it('lists some ranges (the judges are under mutation testing)', () => {
    expect(ranged.length).toBeGreaterThan(10);
  });

  it.each(ranged)('%s starts at a function declaration and ends on its closing brace', (entry) => {
    const [path, range] = entry.split(':') as [string, string];
    const [start, end] = range.split('-').map(Number) as [number, number];
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(start).toBeLessThanOrEqual(end);
    // A top-level function, or a claim object's `judge(m) {` method.
    expect(lines[start - 1]).toMatch(/^(export )?function \w+|^ {2}judge\(/);
    // The last line closes a top-level function ("}") or the method ("  },").
    expect(lines[end - 1]).toMatch(/^\}$|^ {2}\},?$/);
  });
});
