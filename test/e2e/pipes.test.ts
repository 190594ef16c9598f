// Help, and output piped into a reader that stops early (`sentinel deploy --help | head -1`, `| grep -q`):
// the closed pipe ends the run quietly with exit 0, as git and ls do, with no stack trace.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_PATH, runBuiltCli } from '../helpers/cli';

/** Runs the CLI with stdout read until its first line, then closed, as `head -1` does. */
function firstLineThenClose(args: string[]): Promise<{ code: number | null; line: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let line = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (line) return;
      buffered += chunk.toString();
      const end = buffered.indexOf('\n');
      if (end === -1) return;
      line = buffered.slice(0, end);
      child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, line, stderr }));
  });
}

describe('a reader that closes early', () => {
  it.each([[['deploy', '--help']], [['--help']], [['jwt', 'mint', '--help']]])(
    '%j | head -1: exit 0, nothing on stderr',
    async (args) => {
      const result = await firstLineThenClose(args);
      expect(result.line).toMatch(/^Usage: sentinel/);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );
});

describe('help', () => {
  it.each(['', 'jwt', 'jwt mint', 'init', 'dev', 'config', 'plan', 'deploy', 'status', 'teardown'])(
    'sentinel %s --help shows examples and exits 0',
    async (command) => {
      const result = await runBuiltCli([...command.split(' ').filter(Boolean), '--help']);
      expect(result.code).toBe(0);
      const at = result.stdout.indexOf('Examples:');
      expect(at).toBeGreaterThan(-1);
      expect(result.stdout.slice(at)).toMatch(/\$ (npx sentinel-api|sentinel|TOKEN=)/);
    },
  );
});
