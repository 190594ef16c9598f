// Runs the CLI and turns every outcome into an exit code: 0 ok, 1 operation failed, 2 usage or
// configuration error (and any code an error carries, such as the deploy engine's 3 and 4). With
// --json, a failure ends stdout with one `{"event":"error",...}` line, whatever the command.
import { CommanderError } from 'commander';
import { ConfigError } from '../../core/config/issues';
import { ErrorCode, isSentinelError, type SentinelError } from '../../core/shared/errors';
import { awsFailure, isAwsError } from '../deploy/aws-error';
import type { CliContext } from './context';
import { buildProgram } from './program';
import { Ui, type UiOptions } from './ui';

export interface RunOptions extends UiOptions {
  cwd?: string;
}

/** Options before a bare `--` are the CLI's; after it, arguments. */
function hasFlag(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes(flag);
}

/** The last line of a failed `--json` run: the error as data. */
export function errorEvent(error: SentinelError): Record<string, unknown> {
  return {
    event: 'error',
    code: error.code,
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    ...(error instanceof ConfigError ? { issues: error.issues } : {}),
    ...error.details,
    exitCode: error.exitCode,
  };
}

export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const ctx: CliContext = { ui: new Ui(options), env, cwd: options.cwd ?? process.cwd() };
  const debug = hasFlag(argv, '--debug');
  const json = hasFlag(argv, '--json');
  const program = buildProgram(ctx);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (caught) {
    if (caught instanceof CommanderError) {
      // Help and version are successful exits; anything else commander rejects is a usage error
      // (commander has already printed its message).
      if (caught.exitCode === 0) return 0;
      if (json)
        ctx.ui.json({
          event: 'error',
          code: ErrorCode.Usage,
          message: caught.message.replace(/^error: /, ''),
          exitCode: 2,
        });
      return 2;
    }
    const error = isSentinelError(caught) ? caught : isAwsError(caught) ? awsFailure(caught) : undefined;
    if (error) {
      ctx.ui.error(error.message, error.hint);
      if (debug) {
        ctx.ui.info(String(error.stack));
        if (error.cause) ctx.ui.info(`caused by: ${String((error.cause as Error).stack ?? error.cause)}`);
      }
      if (json) ctx.ui.json(errorEvent(error));
      return error.exitCode;
    }
    const message = (caught as Error)?.message ?? String(caught);
    ctx.ui.error(`unexpected failure: ${message}`, debug ? undefined : 'run again with --debug for details');
    if (debug) ctx.ui.info(String((caught as Error)?.stack ?? caught));
    if (json) ctx.ui.json({ event: 'error', code: ErrorCode.Internal, message, exitCode: 1 });
    return 1;
  }
}
