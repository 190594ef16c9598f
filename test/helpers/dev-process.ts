// Starts the built CLI's `sentinel dev` as a user would (a child process in a temp folder) and waits
// for its state file; stop() sends SIGINT like Ctrl-C and resolves with the exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevState } from '../../src/dev/state-file';
import { CLI_PATH } from './cli';

export interface DevProcess {
  child: ChildProcess;
  state: DevState;
  stderr(): string;
  stdout(): string;
  /** SIGINT, then the exit code (killed after 15 s). */
  stop(): Promise<number | null>;
}

export async function startDevProcess(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<DevProcess> {
  const child = spawn(process.execPath, [CLI_PATH, 'dev', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const statePath = join(cwd, '.sentinel', 'dev.json');
  for (let i = 0; i < 300 && !existsSync(statePath); i++) {
    if (child.exitCode !== null) throw new Error(`sentinel dev exited with ${child.exitCode}:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(statePath)) throw new Error(`sentinel dev did not start within 15 s:\n${err}`);
  // The banner follows the state file; wait until it is complete.
  for (let i = 0; i < 100 && !err.includes('Ctrl-C stops everything'); i++)
    await new Promise((r) => setTimeout(r, 50));
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as DevState;
  return {
    child,
    state,
    stderr: () => err,
    stdout: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
