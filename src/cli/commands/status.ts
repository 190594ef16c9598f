// `sentinel status`: the stack's state, outputs, latest events and, in full mode, the gateway
// service's task counts and target health; `--follow` tails a running operation to its end.
// The deploy engine loads only when the command runs, so `sentinel --help` stays fast.
import type { Command } from 'commander';
import { loadConfig } from '../../../core/config/load';
import type { StatusResult } from '../../deploy';
import type { CliContext } from '../context';
import {
  addStackTargetOptions,
  cliEngine,
  stackNameOf,
  stackOptions,
  timeoutMs,
  type StackFlags,
} from '../deploy-options';
import { commonOptions, configSources } from '../options';

interface StatusFlags extends StackFlags {
  region?: string;
  follow?: boolean;
  events: string;
}

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  addStackTargetOptions(
    program
      .command('status')
      .description('Show the stack state, outputs, recent events, and the gateway service health'),
  )
    .addOption(commonOptions.json())
    .option('--follow', 'tail the events of an operation in progress until it ends')
    .option('--events <count>', 'how many recent events to show', '10')
    .addOption(stackOptions.timeout())
    .addHelpText(
      'after',
      `
Exit codes: 0 the stack exists and is usable (or busy), 1 absent or failed, 3 needs --recover.

Examples:
  $ sentinel status
  $ sentinel status --mode foundation --json
  $ sentinel status --stack-name SentinelSdkFull --region eu-west-1 --follow`,
    )
    .action(async (flags: StatusFlags) => {
      const config = loadConfig({ ...configSources(flags, ctx), scope: 'cli', require: [] });
      const { followOperation, stackStatus, statusExitCode } = await import('../../deploy');
      const { engine, printer, release } = await cliEngine(ctx, { ...flags, yes: true }, config);
      let result: StatusResult;
      try {
        if (flags.follow) {
          const outcome = await followOperation(
            { stackName: stackNameOf(flags), timeoutMs: timeoutMs(flags) },
            engine,
          );
          printer.finish();
          if (!outcome && !flags.json) ctx.ui.info('no operation in progress');
        }
        result = await stackStatus(
          { stackName: stackNameOf(flags), events: Math.max(1, Number(flags.events) || 10) },
          engine,
        );
      } finally {
        release();
        printer.finish();
      }
      if (flags.json) ctx.ui.json({ event: 'result', ...result, exitCode: statusExitCode(result) });
      else printStatus(ctx, result);
      process.exitCode = statusExitCode(result);
    });
}

function printStatus(ctx: CliContext, result: StatusResult): void {
  const { ui } = ctx;
  if (result.status === 'absent') {
    ui.out(`${result.stackName} is not deployed in ${result.region}`);
    return;
  }
  ui.out(`${result.stackName} (${result.mode ?? 'unknown mode'}) in ${result.region}: ${result.stackStatus}`);
  if (result.lastUpdated) ui.out(`last changed ${result.lastUpdated}`);
  if (result.gatewayUrl) ui.out(`gateway ${result.gatewayUrl}`);
  if (result.service) {
    const s = result.service;
    ui.out(
      `service ${s.service}: ${s.running}/${s.desired} tasks running${s.pending ? `, ${s.pending} pending` : ''}${s.rolloutState ? `, rollout ${s.rolloutState}` : ''}`,
    );
  }
  if (result.targets) ui.out(`targets: ${result.targets.healthy}/${result.targets.total} healthy`);
  if (Object.keys(result.outputs).length > 0) {
    ui.out('');
    ui.table(['OUTPUT', 'VALUE'], Object.entries(result.outputs));
  }
  if (result.events.length > 0) {
    ui.out('');
    ui.table(
      ['TIME', 'STATUS', 'RESOURCE', 'REASON'],
      result.events.map((e) => [e.timestamp, e.status, e.logicalId, e.reason ?? '']),
    );
  }
  if (result.service?.events.length) {
    ui.out('');
    for (const message of result.service.events) ui.out(`ecs: ${message}`);
  }
  for (const failed of result.unavailable) {
    ui.warn(`could not read everything: ${failed.error}`);
    ui.info(ui.errColors.dim(`hint: ${failed.hint}`));
  }
}
