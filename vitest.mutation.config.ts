// Vitest settings for mutation testing (npm run mutation). Only exact, light properties run: those of theory/ in
// properties/theory/ (one file per module) and those of the claims' judges in properties/judges/ (one file per family:
// the pure functions that turn measurements into holds / fails / inconclusive, fed synthetic measurements). They
// import nothing heavier than theory/, core/stats.ts and the experiment modules (which load no engine at import:
// core/engine/index.ts loads onnx and tfjs lazily), so a mutant costs ~0.1 s instead of ~0.5 s (the family files
// load the engines). Claim verdict runs are experiments, not exact checks, and would make every mutant cost minutes.
// stryker.config.json mutates the judges by line range (path:start-end), so the experiment runners are not mutated.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/theory/**/*.test.ts', 'properties/judges/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
