// `sentinel teardown`: delete the stack and what it leaves behind; a no-op (exit 0) when it is gone.
// The deploy engine loads only when the command runs, so `sentinel --help` stays fast.
import type { Command } from 'commander';
import { loadConfig } from '../../../core/config/load';
import type { TeardownResult } from '../../deploy';
import type { FailedCall } from '../../deploy/aws-error';
import type { CliContext } from '../context';
import {
  addStackTargetOptions,
  cliEngine,
  notInteractiveHint,
  printNextSteps,
  stackNameOf,
  stackOptions,
  timeoutMs,
  type StackFlags,
} from '../deploy-options';
import { commonOptions, configSources } from '../options';

interface TeardownFlags extends StackFlags {
  region?: string;
  force?: boolean;
  keepImages?: boolean;
  purgeArtifacts?: boolean;
  retainBlocking?: boolean;
  deleteData?: boolean;
}

export function registerTeardownCommand(program: Command, ctx: CliContext): void {
  addStackTargetOptions(
    program
      .command('teardown')
      .description('Delete the stack, its log groups and the ECR repository deploy created'),
  )
    .addOption(commonOptions.yes())
    .addOption(commonOptions.json())
    .option('--force', 'turn termination protection off first')
    .option('--keep-images', 'keep the ECR repository of built gateway images')
    .option(
      '--purge-artifacts',
      'also delete the shared artifacts bucket (used by every stack in this account and region)',
    )
    .option(
      '--retain-blocking',
      'if deletion fails twice, keep the blocking resources so the stack itself goes',
    )
    .option(
      '--delete-data',
      'also delete the tables the stack keeps (the blocklist: manual blocks and throttles), after confirming',
    )
    .addOption(stackOptions.timeout())
    .addHelpText(
      'after',
      `
The blocklist table (manual blocks and throttles) is kept, with point-in-time recovery and
deletion protection; --delete-data deletes it too, after a confirmation naming it (--yes
confirms when not in a terminal). Request logs and traffic aggregates are always deleted.

Exit codes: 0 deleted or not there, 1 failed, 2 usage error, 3 needs a decision
(--yes, --force, --retain-blocking), 4 timed out, 130 interrupted.

Examples:
  $ sentinel teardown
  $ sentinel teardown --mode foundation --region eu-west-1 --yes
  $ sentinel teardown --yes --purge-artifacts --json
  $ sentinel teardown --delete-data --yes`,
    )
    .action(async (flags: TeardownFlags) => {
      const timeout = timeoutMs(flags);
      const config = loadConfig({ ...configSources(flags, ctx), scope: 'cli', require: [] });
      const { exitCodeOf, teardownStack } = await import('../../deploy');
      const { engine, printer, release } = await cliEngine(ctx, flags, config);
      let result: TeardownResult;
      try {
        result = await teardownStack(
          {
            mode: flags.mode,
            stackName: stackNameOf(flags),
            force: flags.force,
            keepImages: flags.keepImages,
            purgeArtifacts: flags.purgeArtifacts,
            retainBlocking: flags.retainBlocking,
            deleteData: flags.deleteData,
            timeoutMs: timeout,
          },
          engine,
        );
      } finally {
        release();
        printer.finish();
      }
      if (flags.json) ctx.ui.json({ event: 'result', ...result, exitCode: exitCodeOf(result) });
      else printTeardownResult(ctx, flags, result);
      process.exitCode = exitCodeOf(result);
    });
}

function printTeardownResult(ctx: CliContext, flags: TeardownFlags, result: TeardownResult): void {
  const { ui } = ctx;
  switch (result.status) {
    case 'absent':
      ui.success(`${result.stackName} does not exist in ${result.region}: nothing to delete`);
      for (const item of result.cleaned) ui.info(`  removed ${item}`);
      return printNotCleaned(ctx, result.notCleaned);
    case 'deleted':
      ui.success(`Deleted ${result.stackName} in ${Math.round(result.elapsedMs / 1000)} s`);
      for (const item of result.cleaned) ui.info(`  removed ${item}`);
      if (result.retained.length > 0)
        ui.warn(`retained (delete them yourself): ${result.retained.join(', ')}`);
      for (const table of result.keptData) {
        ui.info(
          `  kept ${table.logicalId} ${table.tableName} with its data (operator blocks and throttles); to delete it:`,
        );
      }
      if (result.keptData.length > 0) {
        const mode = result.mode === 'full' ? '' : ` --mode ${result.mode}`;
        ui.info(
          `  $ sentinel teardown${mode} --stack-name ${result.stackName} --region ${result.region} --delete-data`,
        );
      }
      return printNotCleaned(ctx, result.notCleaned);
    case 'declined':
      ui.warn(`Nothing deleted: ${result.reason}`);
      if (notInteractiveHint(ctx, flags)) ui.info(notInteractiveHint(ctx, flags)!);
      return printNextSteps(ctx, result.nextSteps);
    case 'needs-decision':
    case 'failed':
      if (result.blockers.length > 0) {
        ui.info(ui.errColors.red('Blocked by:'));
        for (const b of result.blockers) ui.info(`  ${b.logicalId} (${b.resourceType}): ${b.reason}`);
      }
      ui.error(
        result.status === 'failed'
          ? `Deletion failed; ${result.stackName} is ${result.stackStatus}`
          : result.reason,
      );
      return printNextSteps(ctx, result.nextSteps);
    case 'timed-out':
    case 'interrupted':
      ui.warn(
        `Stopped waiting; ${result.stackName} is ${result.stackStatus ?? 'still being deleted'} and carries on`,
      );
      return printNextSteps(ctx, result.nextSteps);
  }
}

function printNotCleaned(ctx: CliContext, failures: readonly FailedCall[]): void {
  for (const failed of failures) {
    ctx.ui.warn(`not cleaned up: ${failed.error}`);
    ctx.ui.info(ctx.ui.errColors.dim(`hint: ${failed.hint}`));
  }
}
