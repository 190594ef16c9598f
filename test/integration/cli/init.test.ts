// `sentinel init`: the interactive path driven through the prompts with keystrokes on fake terminal
// streams, and the non-interactive path through the built binary.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'dotenv';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run';
import { resolveConfig } from '../../../core/config/resolve';
import { CLI_PATH, runBuiltCli } from '../../helpers/cli';

const root = mkdtempSync(join(tmpdir(), 'sentinel-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = () => mkdtempSync(join(root, 'p-'));

/** A fake terminal: keystrokes are typed once the screen shows what the step waits for. */
function terminal() {
  const stdin = new PassThrough();
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let screen = '';
  let shown = 0;
  stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  stdout.resume();
  const waitFor = async (text: string) => {
    for (let i = 0; i < 400; i++) {
      const at = screen.indexOf(text, shown);
      if (at !== -1) {
        shown = at + text.length;
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`prompt "${text}" never appeared; screen:\n${screen}`);
  };
  const answer = async (prompt: string, keys: string) => {
    await waitFor(prompt);
    stdin.write(keys);
  };
  return { stdin, stdout, stderr, answer, screen: () => screen };
}

const ENTER = '\r';
const DOWN = '\u001b[B';

describe('sentinel init (interactive)', () => {
  it('asks each question, validates answers and writes a .env the resolver accepts', async () => {
    const cwd = folder();
    const term = terminal();
    const run = runCli(['init'], { ...term, stdinIsTTY: true, env: {}, cwd });
    await term.answer('URL of the API to protect', `ftp://nope${ENTER}`);
    // The inline message names its field.
    await term.answer('the URL uses ftp', '\u0008'.repeat(10) + `https://api.example.com/${ENTER}`);
    await term.answer('How do clients get their tokens?', `${DOWN}${ENTER}`); // second choice: shared secret
    await term.answer('Preset', `${DOWN}${ENTER}`); // performance
    await term.answer('AWS region', `eu-west-1${ENTER}`);
    await term.answer('Email for anomaly alerts', ENTER);
    expect(await run).toBe(0);
    const values = parse(readFileSync(join(cwd, '.env')));
    expect(values).toMatchObject({
      SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
      SENTINEL_API_OPTIMIZE_FOR: 'performance',
      SENTINEL_API_AWS_REGION: 'eu-west-1',
    });
    expect(values.SENTINEL_API_JWT_SECRET_KEY).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(values.SENTINEL_API_ALERT_EMAIL).toBeUndefined();
    expect(term.screen()).not.toContain(values.SENTINEL_API_JWT_SECRET_KEY);
    expect(statSync(join(cwd, '.env')).mode & 0o777).toBe(0o600);
    const resolved = resolveConfig(
      { env: {}, dotenv: { file: '.env', values } },
      { require: ['upstream', 'jwtSource'] },
    );
    expect(resolved.issues).toEqual([]);
  });

  it('asks before replacing an existing .env and keeps it when told no', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, '.env'), 'KEEP=1\n');
    const term = terminal();
    const run = runCli(['init'], { ...term, stdinIsTTY: true, env: {}, cwd });
    await term.answer('.env exists. Replace it?', ENTER); // default: no
    expect(await run).toBe(2);
    expect(readFileSync(join(cwd, '.env'), 'utf8')).toBe('KEEP=1\n');
  });
});

describe('sentinel init (flags, built binary)', () => {
  it('writes a JWKS setup without prompting when not in a terminal', async () => {
    const cwd = folder();
    const result = await runBuiltCli(
      [
        'init',
        '--yes',
        '--upstream',
        'https://api.example.com',
        '--auth',
        'jwks',
        '--jwks-url',
        'https://idp.example.com/jwks',
        '--json',
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ file: '.env', auth: 'jwks', preset: 'cost' });
    const values = parse(readFileSync(join(cwd, '.env')));
    expect(values.SENTINEL_API_JWT_JWKS_URL).toBe('https://idp.example.com/jwks');
    expect(values.SENTINEL_API_JWT_SECRET_KEY).toBeUndefined();
  });

  it('stores a public key file in a form the resolver reads back', async () => {
    const cwd = folder();
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(join(cwd, 'pub.pem'), pem);
    const result = await runBuiltCli(
      ['init', '--yes', '--upstream', 'https://api.example.com', '--public-key-file', 'pub.pem'],
      { cwd },
    );
    expect(result.code).toBe(0);
    const values = parse(readFileSync(join(cwd, '.env')));
    const resolved = resolveConfig({ env: {}, dotenv: { file: '.env', values } });
    expect(resolved.issues).toEqual([]);
    expect(resolved.config.values.jwtPublicKey).toBe(pem.trim());
  });

  it('refuses to overwrite without --force, and rejects bad values naming the flag', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, '.env'), 'KEEP=1\n');
    const refused = await runBuiltCli(['init', '--yes', '--upstream', 'https://api.example.com'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(join(cwd, '.env'), 'utf8')).toBe('KEEP=1\n');
    const forced = await runBuiltCli(['init', '--yes', '--upstream', 'https://api.example.com', '--force'], {
      cwd,
    });
    expect(forced.code).toBe(0);
    expect(parse(readFileSync(join(cwd, '.env'))).SENTINEL_API_UPSTREAM_BASE_URL).toBe(
      'https://api.example.com',
    );

    const other = folder();
    const missing = await runBuiltCli(['init', '--yes'], { cwd: other });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--upstream');
    const bad = await runBuiltCli(['init', '--yes', '--upstream', 'https://u:p@api.example.com'], {
      cwd: other,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('credentials');
    expect(existsSync(join(other, '.env'))).toBe(false);
  });
});

describe('sentinel init follows its own help (built binary)', () => {
  it('without a terminal and without --yes, writes nothing and exits 2', async () => {
    const cwd = folder();
    const result = await runBuiltCli(['init', '--upstream', 'https://api.example.com'], { cwd });
    expect(result.code).toBe(2);
    expect(existsSync(join(cwd, '.env'))).toBe(false);
  });

  it('lists dev, plan --dry-run and deploy as the next steps', async () => {
    const cwd = folder();
    const result = await runBuiltCli(['init', '--yes', '--json', '--upstream', 'https://api.example.com'], {
      cwd,
    });
    expect(result.code, result.stderr).toBe(0);
    const { next } = JSON.parse(result.stdout) as { next: string[] };
    expect(next).toEqual(
      expect.arrayContaining([
        'npx sentinel-api dev',
        'npx sentinel-api plan --dry-run',
        'npx sentinel-api deploy',
      ]),
    );
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'Ctrl-C at a prompt in a terminal exits 130 and writes nothing',
    async () => {
      const cwd = folder();
      // util-linux `script` gives the CLI a real pseudo-terminal; Ctrl-C is typed once the prompt shows.
      const { spawn } = await import('node:child_process');
      const child = spawn(
        'script',
        ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} init`, '/dev/null'],
        {
          cwd,
          env: { PATH: process.env.PATH ?? '', HOME: cwd, TERM: 'xterm' },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let screen = '';
      let interrupted = false;
      // The CLI may exit before the pipe takes the keystroke; that is the outcome under test.
      child.stdin.on('error', () => {});
      const onData = (chunk: Buffer) => {
        screen += chunk.toString();
        if (!interrupted && screen.replace(/\s/g, '').includes('URLoftheAPI')) {
          interrupted = true;
          child.stdin.write('\u0003');
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, screen).toBe(130);
      expect(existsSync(join(cwd, '.env'))).toBe(false);
    },
  );
});
