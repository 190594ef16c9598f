// `sentinel deploy`: put the gateway (full) or the detector foundation into the user's AWS account,
// with a change-set preview, live progress, recovery of stuck stacks, and exit codes a CI can use.
// The deploy engine loads only when the command runs, so `sentinel --help` stays fast.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { loadConfig } from '../../../core/config/load';
import { formatIssue } from '../../../core/config/issues';
import { deployUpstreamWarnings, REQUIREMENTS_OF } from '../../../core/config/rules';
import type { DeployResult, DestructiveChange } from '../../deploy';
import { UsageError } from '../../../core/shared/errors';
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
import { commonOptions, configSources, knobOption } from '../options';

interface DeployFlags extends StackFlags {
  imageUri?: string;
  region?: string;
  execute: boolean;
  outputsFile?: string;
  tags: string[];
  allowReplace?: boolean;
  recover?: boolean;
}

export function parseTags(values: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const value of values.flatMap((v) => v.split(','))) {
    const eq = value.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--tags "${value}" is not key=value`, {
        hint: 'e.g. --tags team=platform --tags env=prod',
      });
    tags[value.slice(0, eq).trim()] = value.slice(eq + 1).trim();
  }
  return tags;
}

export function registerDeployCommand(program: Command, ctx: CliContext): void {
  addStackTargetOptions(
    program
      .command('deploy')
      .description('Deploy SentinelAPI into your AWS account (CloudFormation), showing the changes first'),
  )
    .addOption(knobOption('gatewayImageUri', '--image-uri <uri>'))
    .addOption(commonOptions.yes())
    .addOption(commonOptions.json())
    .option('--no-execute', 'create the change set, show it, and stop')
    .option('--outputs-file <file>', 'write the stack outputs as JSON to this file')
    .option(
      '--tags <key=value>',
      'stack tag, repeatable (propagated to resources)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option(
      '--allow-replace',
      'allow replacing or deleting stateful resources (tables, Redis): their data is lost',
    )
    .option(
      '--recover',
      'continue a failed update rollback (UPDATE_ROLLBACK_FAILED), skipping what cannot roll back',
    )
    .addOption(stackOptions.timeout())
    .addOption(new Option('--debug', 'print stack traces of errors'))
    .addHelpText(
      'after',
      `
Exit codes: 0 deployed or no changes, 1 failed or rolled back, 2 usage or configuration error,
3 needs a decision (confirmation, --allow-replace, --recover, teardown), 4 timed out, 130 interrupted.

Examples:
  $ npx sentinel-api deploy
  $ sentinel deploy --mode foundation --region eu-west-1 --yes
  $ sentinel deploy --outputs-file outputs.json --tags team=platform
  $ sentinel deploy --no-execute --json > plan.ndjson
  $ sentinel deploy --recover --yes`,
    )
    .action(async (flags: DeployFlags) => {
      const tags = parseTags(flags.tags);
      const timeout = timeoutMs(flags);
      const config = loadConfig({
        ...configSources(flags, ctx),
        // Deploy settings (region, image) are the CLI's: as strict as the template's.
        scope: ['template', 'cli'],
        require: REQUIREMENTS_OF.template,
      });
      for (const warning of deployUpstreamWarnings(config.values)) ctx.ui.warn(formatIssue(warning));
      for (const warning of config.warnings) ctx.ui.warn(formatIssue(warning));
      const { stackWarnings } = await import('../../templates');
      for (const warning of stackWarnings(flags.mode, config.values)) {
        if (flags.json) ctx.ui.json({ event: 'warning', ...warning });
        else ctx.ui.warn(formatIssue(warning));
      }
      const { deployStack, describeDestructive, exitCodeOf } = await import('../../deploy');
      const { engine, printer, release } = await cliEngine(ctx, flags, config, {
        verbose: flags.debug === true,
      });
      let result: DeployResult;
      try {
        result = await deployStack(
          {
            mode: flags.mode,
            stackName: stackNameOf(flags),
            config,
            execute: flags.execute,
            allowReplace: flags.allowReplace,
            recover: flags.recover,
            tags,
            timeoutMs: timeout,
          },
          engine,
        );
      } finally {
        release();
        printer.finish();
      }
      if ((result.status === 'deployed' || result.status === 'no-changes') && flags.outputsFile) {
        writeFileSync(
          resolve(ctx.cwd, flags.outputsFile),
          `${JSON.stringify({ [result.stackName]: result.outputs }, null, 2)}\n`,
        );
      }
      if (flags.json) ctx.ui.json({ event: 'result', ...result, exitCode: exitCodeOf(result) });
      else printDeployResult(ctx, flags, result, describeDestructive);
      process.exitCode = exitCodeOf(result);
    });
}

function printDeployResult(
  ctx: CliContext,
  flags: DeployFlags,
  result: DeployResult,
  describeDestructive: (change: DestructiveChange) => string,
): void {
  const { ui } = ctx;
  const took = `in ${Math.round(result.elapsedMs / 1000)} s`;
  switch (result.status) {
    case 'deployed':
    case 'no-changes':
      ui.success(
        result.status === 'deployed'
          ? `${result.created ? 'Created' : 'Updated'} ${result.stackName} (${result.stackStatus}) ${took}`
          : `No changes: ${result.stackName} is up to date`,
      );
      if (Object.keys(result.outputs).length > 0)
        ui.table(['OUTPUT', 'VALUE'], Object.entries(result.outputs));
      if (result.gatewayUrl) {
        ui.out(`\nGateway: ${result.gatewayUrl}`);
        ui.info(ui.errColors.dim(`try: curl ${result.gatewayUrl}/health`));
      }
      return;
    case 'change-set-created':
      ui.success(`Change set created, not executed: ${result.changeSetId}`);
      return printNextSteps(ctx, result.nextSteps);
    case 'declined':
      ui.warn(`Nothing deployed: ${result.reason}`);
      if (notInteractiveHint(ctx, flags)) ui.info(notInteractiveHint(ctx, flags)!);
      return printNextSteps(ctx, result.nextSteps);
    case 'refused':
      ui.error(`Refused: ${result.destructive.length} stateful resource(s) would be replaced or deleted`);
      for (const d of result.destructive) ui.info(`  - ${describeDestructive(d)}`);
      ui.info('Nothing was changed. Pass --allow-replace if losing that data is intended.');
      return printNextSteps(ctx, result.nextSteps);
    case 'failed':
    case 'needs-decision':
      if (result.rootCause && result.rootCause.length > 0) {
        ui.info(ui.errColors.red('Root cause:'));
        for (const f of result.rootCause)
          ui.info(`  ${f.logicalId} (${f.resourceType}) ${f.status}: ${f.reason}`);
      }
      if (result.status === 'failed' && result.ecsReasons) {
        ui.info(ui.errColors.red('ECS deployment failed (circuit breaker):'));
        for (const reason of result.ecsReasons) ui.info(`  ${reason}`);
      }
      ui.error(
        result.status === 'failed'
          ? `Deploy failed; ${result.stackName} is ${result.stackStatus ?? 'unknown'}${result.rolledBack ? ' (rolled back)' : ''}`
          : `${result.reason}`,
      );
      return printNextSteps(ctx, result.nextSteps);
    case 'timed-out':
      ui.error(
        `Timed out after ${took.slice(3)}; ${result.stackName} is ${result.stackStatus ?? 'still in progress'} and carries on without us`,
      );
      return printNextSteps(ctx, result.nextSteps);
    case 'interrupted':
      ui.warn(
        {
          cancelled: `Interrupted: the update was cancelled; ${result.stackName} is ${result.stackStatus ?? 'rolling back'}`,
          deleted: `Interrupted: the half-made ${result.stackName} was deleted`,
          detached: `Stopped waiting; ${result.stackName} is ${result.stackStatus ?? 'still in progress'} and carries on`,
          stopped: 'Interrupted before anything was changed',
        }[result.action],
      );
      return printNextSteps(ctx, result.nextSteps);
  }
}
