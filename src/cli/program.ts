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
    .addHelpText(
      'after',
      `
Examples:
  $ npx sentinel-api init                      # write a .env from a few answers
  $ npx sentinel-api dev                       # the whole product on this machine, no AWS
  $ TOKEN=$(npx sentinel-api jwt mint)         # a token for the gateway (from dev when no key is set)
  $ npx sentinel-api plan --dry-run            # what a deploy creates and costs, no credentials
  $ npx sentinel-api deploy                    # into your AWS account
  $ sentinel <command> --help                  # options, exit codes and examples of a command`,
    )
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
