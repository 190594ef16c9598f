// Fault drills (`npm run test:faults`): each runs load through the built gateway bundle, injects one
// fault and asserts the bars. Named *.drill.ts so the main config (test/**/*.test.ts) never
// runs them; one file at a time, since each wants the machine's CPU to itself.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.drill.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
