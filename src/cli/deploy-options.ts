// What the stack commands (deploy, plan, teardown, status) share: their options, how they ask, and
// how their results end: one place so the four stay consistent. Only light modules load with it (the
// commands' definitions need it for `--help`); the deploy engine loads when `cliEngine` is called.
import { type Command, Option } from 'commander';
import { commonOptions, knobOption } from './options';
import { durationType } from '../../core/config/value-types';
import type { ResolvedConfig } from '../../core/config/resolve';
import type { ApiOptions, Question } from '../deploy';
import { DEFAULT_STACK_NAMES, STACK_MODES, type StackMode } from '../templates/types';
import { UsageError } from '../../core/shared/errors';
import type { CliContext } from './context';
import type { DeployPrinter } from './deploy-printer';
import { engineDeps, interruptSignals } from './engine-deps';

export const stackOptions = {
  mode: () =>
    new Option(
      '--mode <mode>',
      'full: gateway, Redis, VPC and load balancer; foundation: tables, alerts and detector only',
    )
      .choices(STACK_MODES)
      .default('full'),
  stackName: () =>
    new Option(
      '--stack-name <name>',
      `CloudFormation stack name (default: ${DEFAULT_STACK_NAMES.full} or ${DEFAULT_STACK_NAMES.foundation} by mode)`,
    ),
  profile: () =>
    new Option(
      '--profile <name>',
      'AWS profile from ~/.aws/config (default: AWS_PROFILE, then the default chain)',
    ),
  timeout: () =>
    new Option('--timeout <duration>', 'give up waiting after this long: seconds or 30m/2h').default('1h'),
};

/** The options every stack command starts with: which stack, where, as whom, with which settings. */
export function addStackTargetOptions(command: Command): Command {
  return command
    .addOption(stackOptions.mode())
    .addOption(stackOptions.stackName())
    .addOption(knobOption('awsRegion', '--region <region>'))
    .addOption(stackOptions.profile())
    .addOption(commonOptions.envFile());
}

export interface StackFlags {
  mode: StackMode;
  stackName?: string;
  profile?: string;
  envFile?: string;
  json?: boolean;
  yes?: boolean;
  debug?: boolean;
  timeout?: string;
}

export function stackNameOf(flags: StackFlags): string {
  return flags.stackName ?? DEFAULT_STACK_NAMES[flags.mode];
}

const timeoutType = durationType({ min: 10, max: 24 * 3600 });

export function timeoutMs(flags: StackFlags): number {
  const parsed = timeoutType.parse(flags.timeout ?? '1h');
  if (!parsed.ok) throw new UsageError(`--timeout ${parsed.problem}`, { hint: parsed.hint });
  return parsed.value * 1000;
}

export function questionText(q: Question): string {
  switch (q.kind) {
    case 'execute':
      return `Apply these ${q.changes.length} changes to ${q.stackName}?`;
    case 'recreate':
      return `${q.stackName} failed to create and is empty (ROLLBACK_COMPLETE). Delete it and create it again?`;
    case 'delete':
      return `Delete stack ${q.stackName} in ${q.region}? Its request logs and traffic aggregates go with it; the blocklist table is kept (--delete-data deletes it too).`;
    case 'delete-data':
      return `Also delete ${q.tables.join(', ')} and every block and throttle in ${q.tables.length === 1 ? 'it' : 'them'}? This cannot be undone.`;
    case 'retain':
      return `Delete ${q.stackName} but keep (retain) ${q.resources.map((r) => r.logicalId).join(', ')}, which you then delete yourself?`;
  }
}

/** In a terminal ask; otherwise proceed only with --yes. Retaining resources is never implied by --yes. */
export function confirmer(ctx: CliContext, flags: StackFlags, printer: DeployPrinter) {
  return async (q: Question): Promise<boolean> => {
    if (flags.yes && q.kind !== 'retain') return true;
    if (!ctx.ui.interactive) return false;
    printer.finish();
    return ctx.ui.confirm(questionText(q));
  };
}

/**
 * The engine context for a CLI run, with a printer for its progress (`verbose`: docker build output)
 * and Ctrl-C wired; call `release` and `printer.finish()` when the command ends. Loads the deploy
 * engine, so nothing heavy loads until a stack command runs.
 */
export async function cliEngine(
  ctx: CliContext,
  flags: StackFlags,
  config: ResolvedConfig,
  { verbose = false }: { verbose?: boolean } = {},
) {
  const [{ createEngineContext, DEFAULT_INTERVALS }, { DeployPrinter }] = await Promise.all([
    import('../deploy'),
    import('./deploy-printer'),
  ]);
  const printer = new DeployPrinter(ctx.ui, flags.json === true, verbose);
  const interrupt = interruptSignals(() =>
    ctx.ui.warn(
      'interrupted: stopping the operation (press Ctrl-C again to stop waiting and leave it running)',
    ),
  );
  const options: ApiOptions = {
    ...engineDeps,
    intervals: { ...DEFAULT_INTERVALS, ...engineDeps.intervals },
    profile: flags.profile,
    onProgress: printer.onProgress,
    confirm: confirmer(ctx, flags, printer),
    signal: interrupt.signal,
    detachSignal: interrupt.detachSignal,
  };
  return { engine: createEngineContext(config, options), printer, release: interrupt.release };
}

/** Ends a command: the result as the last NDJSON line, or next steps for people. */
export function printNextSteps(ctx: CliContext, steps: readonly string[] | undefined): void {
  if (!steps || steps.length === 0) return;
  ctx.ui.info(ctx.ui.errColors.dim('next:'));
  for (const step of steps) ctx.ui.info(`  $ ${step}`);
}

export function notInteractiveHint(ctx: CliContext, flags: StackFlags): string | undefined {
  return !flags.yes && !ctx.ui.interactive
    ? 'not a terminal, so nothing was confirmed: pass --yes to proceed without asking'
    : undefined;
}
