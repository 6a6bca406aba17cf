// `npm run mutation` step 2: condenses StrykerJS's raw JSON report (mutation-testing-report-schema) into
// reports/mutation.json: the score per file and overall, and every mutant that was not detected, one line each,
// so that a review sees which survivors appeared or went away. Score = detected / (detected + undetected), as
// Stryker counts it: detected = killed + timeout, undetected = survived + no coverage; compile errors are excluded.
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../core/report/canonical.ts';
import { writeFileAtomic } from '../core/report/write.ts';

interface RawMutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}
interface RawReport { files: Record<string, { mutants: RawMutant[] }> }

export interface FileScore {
  file: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  errors: number;
  score: number | null;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Per-file counts and score (percent, or null when no mutant could be judged). */
export function scoreFile(file: string, mutants: RawMutant[]): FileScore {
  const count = (s: string) => mutants.filter((m) => m.status === s).length;
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
  return {
    file,
    killed: count('Killed'),
    timeout: count('Timeout'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    errors: mutants.length - detected - undetected,
    score: detected + undetected === 0 ? null : (100 * detected) / (detected + undetected),
  };
}

/** The summary written to reports/mutation.json. */
export function summarize(raw: RawReport, command: string) {
  const names = Object.keys(raw.files).sort();
  const files = names.map((f) => scoreFile(f, raw.files[f]!.mutants));
  const total = scoreFile('all', names.flatMap((f) => raw.files[f]!.mutants));
  const undetected = names.flatMap((f) =>
    raw.files[f]!.mutants
      .filter((m) => UNDETECTED.has(m.status))
      .map((m) => ({
        at: `${f}:${m.location.start.line}:${m.location.start.column}`,
        mutator: m.mutatorName,
        status: m.status,
        replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80),
      }))
      .sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true })),
  );
  return { command, total, files, undetected };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rawPath = process.argv[2] ?? '.stryker-tmp/mutation-raw.json';
  const raw = JSON.parse(readFileSync(rawPath, 'utf8')) as RawReport;
  const summary = summarize(raw, 'npm run mutation');
  writeFileAtomic('reports/mutation.json', canonicalJson(summary));
  for (const f of [...summary.files, summary.total]) {
    process.stdout.write(`${f.file.padEnd(28)} ${f.score === null ? '  n/a' : f.score.toFixed(1).padStart(5)}%  killed ${f.killed} timeout ${f.timeout} survived ${f.survived} no-coverage ${f.noCoverage}\n`);
  }
}
