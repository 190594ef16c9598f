#!/usr/bin/env node
// The `sentinel` / `sentinel-api` executable: run the CLI and exit with its code.
import { runCli } from '../src/cli/run';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
