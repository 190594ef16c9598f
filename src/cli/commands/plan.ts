// `sentinel plan`: what a deploy would do. `--dry-run` makes no AWS call and needs no credentials
// (CI on pull requests); without it, also the difference against the deployed stack. The deploy
// engine and the templates load only when the command runs, so `sentinel --help` stays fast.
import type { Command } from 'commander';
import { formatIssue } from '../../../core/config/issues';
import { loadConfig } from '../../../core/config/load';
import { deployUpstreamWarnings, REQUIREMENTS_OF } from '../../../core/config/rules';
import type { DestructiveChange, PlanResult } from '../../deploy';
import type { TemplateIssue } from '../../templates';
import { ErrorCode, SentinelError } from '../../../core/shared/errors';
import { awsFailure, isAwsError } from '../../deploy/aws-error';
import type { CliContext } from '../context';
import { addStackTargetOptions, cliEngine, stackNameOf, type StackFlags } from '../deploy-options';
import { engineDeps } from '../engine-deps';
import { commonOptions, configSources, knobOption } from '../options';

interface PlanFlags extends StackFlags {
  region?: string;
  dryRun?: boolean;
  imageUri?: string;
}

export function registerPlanCommand(program: Command, ctx: CliContext): void {
  addStackTargetOptions(
    program
      .command('plan')
      .description(
        'Show what deploy would do: settings, parameters, validation, resources, cost, and the diff',
      ),
  )
    .addOption(knobOption('gatewayImageUri', '--image-uri <uri>'))
    .addOption(commonOptions.json())
    .option(
      '--dry-run',
      'no AWS calls and no credentials needed: config, parameters, validation, resources, cost',
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 the plan is valid, 1 the rendered template fails validation, 2 configuration error.

Examples:
  $ npx sentinel-api plan --dry-run            # in CI on every pull request
  $ sentinel plan --dry-run --json | jq .cost.totalUsd
  $ sentinel plan --mode foundation --region eu-west-1`,
    )
    .action(async (flags: PlanFlags) => {
      const config = loadConfig({
        ...configSources(flags, ctx),
        // Deploy settings (region, image) are the CLI's: as strict as the template's.
        scope: ['template', 'cli'],
        require: REQUIREMENTS_OF.template,
      });
      for (const warning of deployUpstreamWarnings(config.values)) ctx.ui.warn(formatIssue(warning));
      const [{ describeDestructive, planAgainstStack, planOffline }, { formatTemplateIssue }] =
        await Promise.all([import('../../deploy'), import('../../templates')]);
      const request = { mode: flags.mode, stackName: stackNameOf(flags), config };
      let result: PlanResult;
      if (flags.dryRun) {
        const { bundlePaths, findPackageRoot } = await import('../../deploy/package-root');
        result = planOffline(request, bundlePaths(engineDeps.packageRoot ?? findPackageRoot()));
      } else {
        const { engine, printer, release } = await cliEngine(ctx, { ...flags, yes: true }, config);
        try {
          result = await planAgainstStack(request, engine);
        } catch (error) {
          throw withDryRunHint(error);
        } finally {
          release();
          printer.finish();
        }
      }
      if (flags.json) ctx.ui.json({ event: 'result', ...result, exitCode: result.validation.ok ? 0 : 1 });
      else printPlan(ctx, result, { describeDestructive, formatTemplateIssue });
      process.exitCode = result.validation.ok ? 0 : 1;
    });
}

/** Without AWS access, the offline plan still answers most of what `plan` is asked for. */
function withDryRunHint(error: unknown): unknown {
  const failure = isAwsError(error) ? awsFailure(error) : error;
  if (
    !(failure instanceof SentinelError) ||
    (failure.code !== ErrorCode.AwsCredentials && failure.code !== ErrorCode.AwsRegionMissing)
  )
    return error;
  return new SentinelError(failure.code, failure.message, {
    hint: `${failure.hint ?? ''}; or run \`sentinel plan --dry-run\`, which needs no AWS access`,
    cause: failure.cause ?? failure,
    exitCode: failure.exitCode,
    details: failure.details,
  });
}

function printPlan(
  ctx: CliContext,
  plan: PlanResult,
  format: {
    describeDestructive: (change: DestructiveChange) => string;
    formatTemplateIssue: (issue: TemplateIssue) => string;
  },
): void {
  const { describeDestructive, formatTemplateIssue } = format;
  const { ui } = ctx;
  ui.out(
    `${plan.mode} stack ${plan.stackName}${plan.region ? ` in ${plan.region}` : ''} (preset ${plan.preset})${plan.dryRun ? ', dry run: no AWS calls' : ''}`,
  );
  ui.out('');
  ui.table(
    ['SETTING', 'VALUE', 'SOURCE'],
    plan.settings.filter((r) => r.value !== undefined).map((r) => [r.variable, r.value ?? '-', r.source]),
  );
  ui.out('');
  ui.table(
    ['PARAMETER', 'VALUE'],
    plan.parameters.map((p) => [p.key, p.value]),
  );
  ui.out('');
  if (plan.mode === 'full') {
    const image = plan.image;
    const push =
      image.pushNeeded === undefined ? '' : image.pushNeeded ? ', push needed' : ', already in ECR';
    ui.out(
      image.source === 'explicit'
        ? `Gateway image: ${image.uri} (given; checked for ${image.platform} before deploying)`
        : `Gateway image: built in Node for ${image.platform} on ${image.base?.reference}${push}`,
    );
    ui.out('');
  }
  ui.table(
    ['RESOURCE', 'TYPE', 'CREATED'],
    plan.resources.map((r) => [r.logicalId, r.type, r.created === false ? `no (${r.condition})` : 'yes']),
  );
  ui.out('');
  const cost = plan.cost;
  ui.table(
    ['SERVICE', 'ITEM', 'USD/MONTH'],
    cost.lines.map((l) => [l.service, l.item, l.monthlyUsd.toFixed(2)]),
  );
  ui.out(`Estimated total: $${cost.totalUsd.toFixed(2)}/month (${cost.region} prices of ${cost.priceDate})`);
  for (const assumption of cost.assumptions) ui.out(`  assumes ${assumption}`);
  ui.out('');
  for (const warning of plan.warnings) ui.warn(formatIssue(warning));
  if (plan.validation.ok) ui.success('offline validation passed');
  else {
    ui.error(`offline validation found ${plan.validation.issues.length} problem(s):`);
    for (const issue of plan.validation.issues) ui.info(`  - ${formatTemplateIssue(issue)}`);
  }
  const diff = plan.diff;
  if (!diff) return;
  ui.out('');
  if (diff.note) return ui.out(`Against the deployed stack: ${diff.note}`);
  if (diff.noChanges) return ui.out(`No changes: ${plan.stackName} is up to date`);
  ui.out(
    diff.exists
      ? `Changes to ${plan.stackName} (${diff.stackStatus}):`
      : `${plan.stackName} does not exist yet; deploy creates:`,
  );
  if (diff.templateDiff) ui.out(diff.templateDiff.trimEnd());
  if (diff.parameterChanges.length > 0) {
    ui.table(
      ['PARAMETER', 'DEPLOYED', 'NEW'],
      diff.parameterChanges.map((p) => [p.key, p.from ?? '(new)', p.to]),
    );
  }
  for (const d of diff.destructive)
    ui.warn(`${describeDestructive(d)}: deploy refuses this without --allow-replace`);
  if (diff.securityChanges) ui.warn('the change includes IAM or security group changes');
}
