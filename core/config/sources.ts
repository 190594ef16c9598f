// Where raw configuration comes from. Reading the environment and the .env file is the only I/O in
// config; the resolver itself is pure and receives what is read here.
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ErrorCode, SentinelError } from '../shared/errors';
import type { Preset } from './knob';

export type ValueSource =
  | { kind: 'explicit'; name?: string }
  | { kind: 'env'; name: string; alias: boolean }
  | { kind: 'dotenv'; name: string; alias: boolean; file: string }
  | { kind: 'preset'; preset: Preset }
  | { kind: 'default' }
  | { kind: 'unset' };

export interface DotenvSource {
  /** Path as the user would recognise it (relative when under the working directory). */
  file: string;
  values: Record<string, string>;
}

export interface RawSources {
  /** Values from flags or a library caller's config object, keyed by config key. */
  explicit?: Record<string, unknown>;
  /** Label for explicit values in `sentinel config` (e.g. "flag"). @default "argument" */
  explicitLabel?: string;
  env: Record<string, string | undefined>;
  dotenv?: DotenvSource;
}

/**
 * Reads a .env file without touching process.env. A missing default file is fine; a missing file the
 * user named explicitly is an error.
 */
export function readDotenv(options: { cwd?: string; path?: string } = {}): DotenvSource | undefined {
  const cwd = options.cwd ?? process.cwd();
  const file = options.path ?? '.env';
  const absolute = resolvePath(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    if (options.path === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SentinelError(ErrorCode.EnvFileUnreadable, `Cannot read env file ${file}`, {
      hint: 'Check the --env-file path, or remove the flag to use ./.env when present.',
      cause: error,
      exitCode: 2,
    });
  }
  return { file, values: parseDotenv(text) };
}
