// The only module that writes to the terminal. Results go to stdout (plain text, a table, or JSON
// lines); diagnostics go to stderr; colour only on a TTY without NO_COLOR; prompts only when interactive.
import { redactSecrets } from '../../core/shared/redact-secrets';
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
  /** Columns to fit tables in: the terminal's, else COLUMNS; unset when neither is known. */
  readonly width: number | undefined;

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
    const columns = Number(env.COLUMNS);
    this.width =
      this.isTTY && this.stdout.columns
        ? this.stdout.columns
        : Number.isInteger(columns) && columns > 0
          ? columns
          : undefined;
  }

  /** A result line on stdout. */
  out(text = ''): void {
    this.stdout.write(`${redactSecrets(text)}\n`);
  }

  /** One JSON document on one stdout line (NDJSON-friendly). */
  json(value: unknown): void {
    this.stdout.write(`${redactSecrets(JSON.stringify(value))}\n`);
  }

  info(text: string): void {
    this.stderr.write(`${redactSecrets(text)}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.errColors.yellow('warning:')} ${redactSecrets(text)}\n`);
  }

  error(message: string, hint?: string): void {
    this.stderr.write(`${this.errColors.red('error:')} ${redactSecrets(message)}\n`);
    if (hint) this.stderr.write(`${this.errColors.dim('hint:')} ${redactSecrets(hint)}\n`);
  }

  success(text: string): void {
    this.stderr.write(`${this.errColors.green('✔')} ${text}\n`);
  }

  /**
   * A plain-text table on stdout, cells padded to their column. It fits the terminal (or COLUMNS):
   * long cells are cut at a word with an ellipsis; `wide` shows them whole (`--json` is always whole).
   */
  table(
    headers: readonly string[],
    rows: ReadonlyArray<readonly string[]>,
    options: { wide?: boolean } = {},
  ): void {
    this.out(formatTable(headers, rows, this.colors, { width: this.width, wide: options.wide }));
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
const GAP = 2;
/** No column is cut below this (or its header), so a cut cell still says what it is. */
const MIN_COLUMN = 8;

/**
 * `text` in at most `max` characters: cut at the last word boundary that keeps most of it, with an
 * ellipsis. Colour is dropped from a cut cell (an escape cut in half would bleed into the next).
 */
export function truncateWords(text: string, max: number): string {
  if (visibleLength(text) <= max) return text;
  const plain = text.replace(ANSI, '');
  if (max <= 1) return '…'.slice(0, max);
  const room = plain.slice(0, max - 1);
  const boundary = Math.max(room.lastIndexOf(' '), room.lastIndexOf(','), room.lastIndexOf('/'));
  const cut =
    boundary >= Math.floor(max / 2) ? room.slice(0, boundary + (room[boundary] === ' ' ? 0 : 1)) : room;
  return `${cut.trimEnd()}…`;
}

/**
 * Column widths that fit `width`: the widest column gives way first, one character at a time, down
 * to MIN_COLUMN or its header. The first column names the row, so it gives way only last. Pure.
 */
export function fitColumns(natural: readonly number[], headers: readonly number[], width: number): number[] {
  const widths = [...natural];
  let total = widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
  const widestAbove = (from: number) => {
    let widest = -1;
    for (let i = from; i < widths.length; i++) {
      const floor = Math.max(MIN_COLUMN, headers[i]!);
      if (widths[i]! > floor && (widest === -1 || widths[i]! > widths[widest]!)) widest = i;
    }
    return widest;
  };
  while (total > width) {
    const column = widestAbove(1) === -1 ? widestAbove(0) : widestAbove(1);
    if (column === -1) break;
    widths[column]!--;
    total--;
  }
  return widths;
}

export interface TableOptions {
  /** Fit rows in this many columns (the terminal's width); unset: no limit. */
  width?: number;
  /** Show every cell in full, whatever the width (`--wide`). */
  wide?: boolean;
}

export function formatTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  colors?: Colors,
  options: TableOptions = {},
): string {
  // A value with line breaks (a PEM key) would break the row: it shows on one line.
  const flat = rows.map((r) => r.map((cell) => cell.replace(/\r?\n/g, ' ')));
  const natural = headers.map((h, i) =>
    Math.max(visibleLength(h), ...flat.map((r) => visibleLength(r[i] ?? ''))),
  );
  const widths =
    options.width !== undefined && !options.wide
      ? fitColumns(
          natural,
          headers.map((h) => visibleLength(h)),
          options.width,
        )
      : natural;
  const line = (cells: readonly string[]) =>
    cells
      .map((raw, i) => {
        const cell = truncateWords(raw, widths[i]!);
        return i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell));
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const head = line(headers);
  return [colors ? colors.bold(head) : head, ...flat.map(line)].join('\n');
}
