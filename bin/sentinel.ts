#!/usr/bin/env node
// The `sentinel` / `sentinel-api` executable: run the CLI and exit with its code.
import { runCli } from '../src/cli/run';

// The AWS SDK warns on every run under Node 20 that its releases after January 2027 need Node 22.
// The CLI supports Node 20 (engines), so the warning is noise to its users; docs/cli.md says so once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
