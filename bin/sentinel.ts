#!/usr/bin/env node
// The `sentinel` / `sentinel-api` executable: run the CLI and exit with its code.
import { runCli } from '../src/cli/run';

// The AWS SDK warns on every run under Node 20 that its releases after January 2027 need Node 22.
// The CLI supports Node 20 (engines), so the warning is noise to its users; docs/cli.md says so once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that stops early (`sentinel deploy --help | head -1`, `| grep -q`) closes the pipe: the
// output is no longer wanted, so the run ends quietly and successfully, as git and ls do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
