// Build: the library and CLI (ESM with declarations), plus self-contained bundles for what ships
// to AWS (the gateway container and the detector Lambda), each one file with its dependencies.
import { defineConfig, type Options } from 'tsup';
import { RUNTIME_NODE_MAJOR } from './core/node-runtime';

function withoutSourcesContent(options: { sourcesContent?: boolean }): void {
  options.sourcesContent = false;
}

/** One ESM file with every dependency inside, for the container's and the Lambda's Node. */
function bundle(entry: Record<string, string>, outDir: string): Options {
  return {
    entry,
    outDir,
    outExtension: () => ({ js: '.mjs' }),
    format: ['esm'],
    target: `node${RUNTIME_NODE_MAJOR}`,
    platform: 'node',
    noExternal: [/.*/],
    // Bundled CommonJS dependencies (ioredis, the AWS SDK) call require() for node builtins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    sourcemap: true,
    // Maps without the sources' text: stack traces still name our files and lines, and the package
    // (which ships the gateway and detector bundles) stays small.
    esbuildOptions: withoutSourcesContent,
    clean: false,
    splitting: false,
  };
}

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'bin/sentinel.ts', detector: 'lambda/anomaly-detector/index.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: { index: 'src/index.ts', detector: 'lambda/anomaly-detector/index.ts' } },
    sourcemap: true,
    esbuildOptions: withoutSourcesContent,
    // tsup runs these configs in parallel, so none may clean dist/: `npm run build` empties it first.
    clean: false,
    splitting: true,
  },
  // The gateway container, started with `node dist/gateway/server.mjs`.
  bundle({ server: 'runtime/server.ts' }, 'dist/gateway'),
  // The detector Lambda; the template's handler is `index.handler`.
  bundle({ index: 'lambda/anomaly-detector/handler.ts' }, 'dist/lambda/anomaly-detector'),
]);
