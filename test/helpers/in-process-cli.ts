// The CLI run in-process through runCli with its output captured, for tests whose AWS is scripted
// with aws-sdk-client-mock: the mock replaces the SDK clients in this process, which a child process
// running the built binary would not see.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The folder the command ran in. */
  cwd: string;
}

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

/** Runs `sentinel <args>` without a terminal, in `cwd` (a new temporary folder by default). */
export async function runCliInProcess(
  args: string[],
  options: { env: Record<string, string>; cwd?: string },
): Promise<InProcessRun> {
  const out = sink();
  const err = sink();
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'cli-'));
  const code = await runCli(args, {
    stdout: out.stream,
    stderr: err.stream,
    stdinIsTTY: false,
    env: options.env,
    cwd,
  });
  return { code, stdout: out.text(), stderr: err.text(), cwd };
}

/** The lines of a `--json` run's stdout, parsed. */
export function ndjson(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
