// Options of the project's own scripts (`npm run bench`, `bench:cost`, `bench:instructions`,
// `eval:detector`): node's parseArgs, strict, plus `--help` and values checked where they are read.
// A mistyped option or a number that is not one ends the script with one line naming the option and
// the usage, exit code 2, instead of a stack trace or a run with NaN in it (`--duration 8s` made
// the load run with no duration at all).
import { parseArgs } from 'node:util';

/** One option: a flag when it takes no `value`, else a string named `value` in the usage. */
export interface ScriptOption {
  description: string;
  /** Placeholder of its value in the usage (`N`, `FILE`); omitted for a flag. */
  value?: string;
  default?: string;
  /** The only values accepted, when there is a short list. */
  choices?: readonly string[];
}

export interface ScriptUsage {
  /** How the script is run, e.g. `npm run bench --`. */
  command: string;
  summary: string;
  options: Record<string, ScriptOption>;
}

export interface ScriptArgs {
  flag(name: string): boolean;
  string(name: string): string | undefined;
  /** The option as a number of at least `min` (and whole, with `integer`), or its default. */
  number(name: string, bounds?: { min?: number; integer?: boolean }): number;
  /** The same, undefined when neither given nor defaulted. */
  optionalNumber(name: string, bounds?: { min?: number; integer?: boolean }): number | undefined;
}

/** Raised for a bad option; `scriptArgs` prints it with the usage and exits 2. */
export class ScriptArgsError extends Error {
  override readonly name = 'ScriptArgsError';
}

export function renderUsage(usage: ScriptUsage): string {
  const rows = Object.entries(usage.options).map(([name, o]) => {
    const left = `--${name}${o.value ? ` ${o.value}` : ''}`;
    const extra = [
      o.choices ? `one of ${o.choices.join(', ')}` : undefined,
      o.default !== undefined ? `default ${o.default}` : undefined,
    ].filter(Boolean);
    return [left, `${o.description}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`] as const;
  });
  rows.push(['--help', 'print this and exit']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
  return `${usage.summary}\n\nUsage: ${usage.command} [options]\n\n${lines.join('\n')}\n`;
}

/**
 * Parses `argv` against the usage. Returns undefined when `--help` was asked for; throws
 * ScriptArgsError for an unknown option, a missing value, a positional argument or a value outside
 * `choices`. Numbers are checked when read (`ScriptArgs.number`), which throws the same error.
 */
export function parseScriptArgs(usage: ScriptUsage, argv: readonly string[]): ScriptArgs | undefined {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string }> = {
    help: { type: 'boolean' },
  };
  for (const [name, o] of Object.entries(usage.options)) {
    options[name] = o.value
      ? { type: 'string', ...(o.default !== undefined ? { default: o.default } : {}) }
      : { type: 'boolean' };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // node's messages name the option ("Unknown option '--rond'"); the hints it adds speak of `--`.
    throw new ScriptArgsError((error as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  if (values.help === true) return undefined;
  for (const [name, o] of Object.entries(usage.options)) {
    const v = values[name];
    if (o.choices && typeof v === 'string' && !o.choices.includes(v))
      throw new ScriptArgsError(`--${name} ${v}: expected one of ${o.choices.join(', ')}`);
  }
  const optionalNumber = (name: string, bounds: { min?: number; integer?: boolean } = {}) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    const kind = bounds.integer ? 'a whole number' : 'a number';
    const least = bounds.min !== undefined ? ` of at least ${bounds.min}` : '';
    if (
      !Number.isFinite(n) ||
      (bounds.integer && !Number.isInteger(n)) ||
      (bounds.min !== undefined && n < bounds.min)
    )
      throw new ScriptArgsError(`--${name} ${String(raw)}: expected ${kind}${least}`);
    return n;
  };
  return {
    flag: (name) => values[name] === true,
    string: (name) => {
      const v = values[name];
      return typeof v === 'string' ? v : undefined;
    },
    optionalNumber,
    number: (name, bounds) => {
      const n = optionalNumber(name, bounds);
      if (n === undefined) throw new ScriptArgsError(`--${name} is required`);
      return n;
    },
  };
}

/**
 * `parseScriptArgs` on the process's arguments, for a script's top level: `--help` prints the usage
 * and exits 0; a bad option prints one line and the usage to stderr and exits 2. The returned
 * accessors exit the same way when a number is read that is not one.
 */
export function scriptArgs(usage: ScriptUsage, argv: readonly string[] = process.argv.slice(2)): ScriptArgs {
  const fail = (error: unknown): never => {
    if (!(error instanceof ScriptArgsError)) throw error;
    process.stderr.write(`error: ${error.message}\n\n${renderUsage(usage)}`);
    process.exit(2);
  };
  let args: ScriptArgs | undefined;
  try {
    args = parseScriptArgs(usage, argv);
  } catch (error) {
    return fail(error);
  }
  if (!args) {
    process.stdout.write(renderUsage(usage));
    process.exit(0);
  }
  const parsed = args;
  const guard =
    <A extends unknown[], R>(read: (...a: A) => R) =>
    (...a: A): R => {
      try {
        return read(...a);
      } catch (error) {
        return fail(error);
      }
    };
  return {
    flag: parsed.flag,
    string: parsed.string,
    number: guard(parsed.number),
    optionalNumber: guard(parsed.optionalNumber),
  };
}
