import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The AWS SDK warns under Node 20 that its 2027 releases need Node 22; the CLI silences it the
    // same way (bin/sentinel.ts), and tests that import the SDK directly would print it per file.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
