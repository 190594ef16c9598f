// Runs the CLI and turns every outcome into an exit code: 0 ok, 1 operation failed, 2 usage or
// configuration error (and any code an error carries, such as the deploy engine's 3 and 4).
import { CommanderError } from 'commander';
import { isSentinelError } from '../../core/shared/errors';
import type { CliContext } from './context';
import { buildProgram } from './program';
import { Ui, type UiOptions } from './ui';

export interface RunOptions extends UiOptions {
  cwd?: string;
}

export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const ctx: CliContext = { ui: new Ui(options), env, cwd: options.cwd ?? process.cwd() };
  const debug = argv.includes('--debug');
  const program = buildProgram(ctx);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; anything else commander rejects is a usage error
      // (commander has already printed its message).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isSentinelError(error)) {
      ctx.ui.error(error.message, error.hint);
      if (debug) ctx.ui.info(String(error.stack));
      return error.exitCode;
    }
    ctx.ui.error(
      `unexpected failure: ${(error as Error)?.message ?? String(error)}`,
      debug ? undefined : 'run again with --debug for details',
    );
    if (debug) ctx.ui.info(String((error as Error)?.stack ?? error));
    return 1;
  }
}
