// Build: the library and CLI (ESM with declarations), plus self-contained bundles for what ships
// to AWS (the gateway container and the detector Lambda), each one file with its dependencies.
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'bin/sentinel.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    clean: true,
    splitting: true,
  },
]);
