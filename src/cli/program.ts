// The commander program: global options, the registered commands, and help text.
import { Command } from 'commander';
import { VERSION } from '../../core/version';
import { COMMANDS } from './commands';
import type { CliContext } from './context';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('sentinel')
    .description(
      'SentinelAPI: deploy an API gateway with JWT auth, rate limiting and anomaly blocking into your AWS account',
    )
    .version(VERSION, '-v, --version')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => ctx.ui.stdout.write(text),
      writeErr: (text) => ctx.ui.stderr.write(text),
    })
    .exitOverride();
  for (const register of COMMANDS) register(program, ctx);
  program.commands.forEach(function inherit(command: Command) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => ctx.ui.stdout.write(text),
      writeErr: (text) => ctx.ui.stderr.write(text),
    });
    command.commands.forEach(inherit);
  });
  return program;
}
