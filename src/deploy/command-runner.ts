// Running external programs (docker) behind a small interface: output is captured and reported line
// by line, secrets go in on stdin, and tests substitute a fake executable on PATH.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, then closed (e.g. a registry password for `--password-stdin`). */
  input?: string;
  onLine?: (line: string) => void;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export interface CommandRunner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export const spawnRunner: CommandRunner = {
  run(command, args, options = {}) {
    return new Promise((resolve) => {
      const child = spawn(command, [...args], {
        env: options.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        signal: options.signal,
      });
      let stdout = '';
      let stderr = '';
      const lines = (chunk: Buffer, sink: 'out' | 'err') => {
        const text = chunk.toString();
        if (sink === 'out') stdout += text;
        else stderr += text;
        for (const line of text.split(/\r?\n/)) if (line.trim()) options.onLine?.(line);
      };
      child.stdout.on('data', (c: Buffer) => lines(c, 'out'));
      child.stderr.on('data', (c: Buffer) => lines(c, 'err'));
      // A missing executable is an ordinary result (code 127), so callers can explain it.
      child.on('error', (error) => resolve({ code: 127, stdout, stderr: stderr + String(error.message) }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
    });
  },
};
