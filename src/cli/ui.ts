// The only module that writes to the terminal. Results go to stdout (plain text, a table, or JSON
// lines); diagnostics go to stderr; colour only on a TTY without NO_COLOR; prompts only when interactive.
import type { Readable, Writable } from 'node:stream';
import * as prompts from '@clack/prompts';
import { createColors } from 'picocolors';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

export interface UiOptions {
  stdin?: Readable;
  stdout?: Writable & { isTTY?: boolean; columns?: number };
  stderr?: Writable & { isTTY?: boolean };
  stdinIsTTY?: boolean;
  env?: Record<string, string | undefined>;
}

export type Colors = ReturnType<typeof createColors>;

export class Ui {
  readonly stdout: NonNullable<UiOptions['stdout']>;
  readonly stderr: NonNullable<UiOptions['stderr']>;
  readonly stdin: Readable;
  /** Prompts are allowed: stdin and stdout are terminals and CI is not set. */
  readonly interactive: boolean;
  /** stdout is a terminal (live progress lines make sense). */
  readonly isTTY: boolean;
  readonly colors: Colors;
  readonly errColors: Colors;

  constructor(options: UiOptions = {}) {
    const env = options.env ?? process.env;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.stdin = options.stdin ?? process.stdin;
    this.isTTY = this.stdout.isTTY === true;
    const stdinIsTTY = options.stdinIsTTY ?? process.stdin.isTTY === true;
    this.interactive = stdinIsTTY && this.isTTY && !env.CI;
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    this.colors = createColors(this.isTTY && !noColor);
    this.errColors = createColors(this.stderr.isTTY === true && !noColor);
  }

  /** A result line on stdout. */
  out(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** One JSON document on one stdout line (NDJSON-friendly). */
  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  info(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.errColors.yellow('warning:')} ${text}\n`);
  }

  error(message: string, hint?: string): void {
    this.stderr.write(`${this.errColors.red('error:')} ${message}\n`);
    if (hint) this.stderr.write(`${this.errColors.dim('hint:')} ${hint}\n`);
  }

  success(text: string): void {
    this.stderr.write(`${this.errColors.green('✔')} ${text}\n`);
  }

  /** A plain-text table on stdout; cells are padded to the widest entry of their column. */
  table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
    this.out(formatTable(headers, rows, this.colors));
  }

  /** Asks a yes/no question; never asks when not interactive (callers require --yes then). */
  async confirm(message: string, initialValue = false): Promise<boolean> {
    if (!this.interactive) return false;
    return this.answered(await prompts.confirm({ message, initialValue, ...this.promptStreams() }));
  }

  async text(options: {
    message: string;
    placeholder?: string;
    initialValue?: string;
    validate?: (value: string) => string | undefined;
  }): Promise<string> {
    const { validate } = options;
    return this.answered(
      await prompts.text({
        message: options.message,
        placeholder: options.placeholder,
        initialValue: options.initialValue,
        validate: validate ? (value) => validate(value ?? '') : undefined,
        ...this.promptStreams(),
      }),
    );
  }

  async select<V extends string>(
    message: string,
    choices: ReadonlyArray<{ value: V; label: string; hint?: string }>,
  ): Promise<V> {
    const options = choices.map((c) => ({
      value: c.value,
      label: c.label,
      hint: c.hint,
    })) as prompts.Option<V>[];
    return this.answered(await prompts.select<V>({ message, options, ...this.promptStreams() }));
  }

  private promptStreams() {
    return { input: this.stdin, output: this.stderr };
  }

  /** Ctrl-C at a prompt ends the command without doing anything, with the interrupt's exit code. */
  private answered<T>(value: T): Exclude<T, symbol> {
    if (prompts.isCancel(value))
      throw new SentinelError(ErrorCode.Cancelled, 'Cancelled; nothing was changed', { exitCode: 130 });
    return value as Exclude<T, symbol>;
  }
}

// eslint-disable-next-line no-control-regex -- matching ANSI colour escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;

export function formatTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  colors?: Colors,
): string {
  const widths = headers.map((h, i) =>
    Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  const head = line(headers);
  return [colors ? colors.bold(head) : head, ...rows.map(line)].join('\n');
}
