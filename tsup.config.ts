// Build: the library and CLI (ESM with declarations), plus self-contained bundles for what ships
// to AWS (the gateway container and the detector Lambda), each one file with its dependencies.
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'bin/sentinel.ts', detector: 'lambda/anomaly-detector/index.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: { index: 'src/index.ts', detector: 'lambda/anomaly-detector/index.ts' } },
    sourcemap: true,
    clean: true,
    splitting: true,
  },
  {
    // The gateway container: one ESM file with every dependency inside, started with `node`.
    entry: { server: 'runtime/server.ts' },
    outDir: 'dist/gateway',
    outExtension: () => ({ js: '.mjs' }),
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    noExternal: [/.*/],
    // Bundled CommonJS dependencies (ioredis, the AWS SDK) call require() for node builtins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    sourcemap: true,
    clean: false,
    splitting: false,
  },
  {
    // The detector Lambda: one ESM file with every dependency inside; the template's handler is
    // `index.handler`.
    entry: { index: 'lambda/anomaly-detector/handler.ts' },
    outDir: 'dist/lambda/anomaly-detector',
    outExtension: () => ({ js: '.mjs' }),
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    noExternal: [/.*/],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    sourcemap: true,
    clean: false,
    splitting: false,
  },
]);
