// The importable API: `deployFull`, `deployFoundation`, `teardown`, `plan` and `status`. Each takes
// an explicit config object first (it wins over the environment and .env),
// reports progress through a callback instead of printing, and returns a structured result with
// secrets redacted. The CLI is a thin layer over the same engine.
import { loadConfig } from '../../core/config/load';
import type { ResolvedConfig } from '../../core/config/resolve';
import { REQUIREMENTS_OF } from '../../core/config/rules';
import type { ConfigKey } from '../../core/config/schema';
import { DEFAULT_STACK_NAMES, type StackMode } from '../templates';
import { type AwsClientFactory, createAwsClients } from './aws-clients';
import { type Clock, DEFAULT_INTERVALS, type PollIntervals, systemClock } from './clock';
import { type CommandRunner, spawnRunner } from './command-runner';
import { isThrottlingError } from './throttle';
import { deployStack, type DeployRequest } from './deploy';
import type { EngineContext, Question } from './engine';
import type { ProgressCallback } from './events';
import { bundlePaths, findPackageRoot } from './package-root';
import { planAgainstStack, planOffline, type PlanResult } from './plan';
import type { DeployResult, TeardownResult } from './results';
import { stackStatus, type StatusResult } from './status';
import { teardownStack, type TeardownRequest } from './teardown';

/** Knob values by config key (e.g. `{ upstreamBaseUrl, jwtSecretKey, awsRegion }`); they win over env and .env. */
export type ConfigInput = Partial<Record<ConfigKey, unknown>>;

export interface ApiOptions {
  /** @default the mode's default stack name (SentinelSdkFull / SentinelSdkFoundation) */
  stackName?: string;
  /** AWS profile; unset: AWS_PROFILE or the SDK's default chain. */
  profile?: string;
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** A .env file; unset: ./.env when present. */
  envFile?: string;
  cwd?: string;
  onProgress?: ProgressCallback;
  /** Abort to stop the operation (cancel an update, delete a half-made create). */
  signal?: AbortSignal;
  /** Abort to stop waiting and leave the stack to finish on its own. */
  detachSignal?: AbortSignal;
  /** Answers the engine's questions. @default approves everything (a library call is the decision) */
  confirm?: (question: Question) => Promise<boolean>;
  /** Test seams. */
  clients?: AwsClientFactory;
  clock?: Clock;
  intervals?: Partial<PollIntervals>;
  runner?: CommandRunner;
  packageRoot?: string;
}

export interface DeployOptions
  extends ApiOptions, Pick<DeployRequest, 'allowReplace' | 'recover' | 'execute' | 'tags'> {
  /** Bound on the whole wait. @default 3600 */
  timeoutSeconds?: number;
}

export interface TeardownOptions
  extends ApiOptions, Pick<TeardownRequest, 'force' | 'keepImages' | 'purgeArtifacts' | 'retainBlocking'> {
  /** @default 'full' */
  mode?: StackMode;
  timeoutSeconds?: number;
}

export interface PlanOptions extends ApiOptions {
  /** @default 'full' */
  mode?: StackMode;
  /** No AWS call at all. @default false */
  dryRun?: boolean;
}

export interface StatusOptions extends ApiOptions {
  mode?: StackMode;
  /** Latest events to include. @default 10 */
  events?: number;
}

function loadFor(
  kind: 'template' | 'stack',
  config: ConfigInput,
  options: ApiOptions,
  explicitLabel: string,
): ResolvedConfig {
  return loadConfig({
    explicit: config,
    explicitLabel,
    env: options.env,
    envFile: options.envFile,
    cwd: options.cwd,
    ...(kind === 'template'
      ? { scope: 'template', require: REQUIREMENTS_OF.template }
      : { scope: 'cli', require: [] }),
  });
}

/** Config for commands that render a template: everything a stack needs must be set. */
export function loadTemplateConfig(
  config: ConfigInput,
  options: ApiOptions,
  explicitLabel = 'argument',
): ResolvedConfig {
  return loadFor('template', config, options, explicitLabel);
}

/** Config for commands that only address a stack (teardown, status): the region at most. */
export function loadStackConfig(
  config: ConfigInput,
  options: ApiOptions,
  explicitLabel = 'argument',
): ResolvedConfig {
  return loadFor('stack', config, options, explicitLabel);
}

export function createEngineContext(config: ResolvedConfig, options: ApiOptions): EngineContext {
  const factory = options.clients ?? createAwsClients;
  const clock = options.clock ?? systemClock;
  const onProgress = options.onProgress ?? (() => {});
  return {
    clients: factory({
      region: config.values.awsRegion,
      profile: options.profile,
      clock,
      onRetry: (operation, error, waitMs) => {
        if (isThrottlingError(error)) onProgress({ type: 'throttled', what: operation, retryInMs: waitMs });
      },
    }),
    clock,
    intervals: { ...DEFAULT_INTERVALS, ...options.intervals },
    runner: options.runner ?? spawnRunner,
    paths: bundlePaths(options.packageRoot ?? findPackageRoot()),
    onProgress,
    confirm: options.confirm ?? (async () => true),
    signal: options.signal,
    detachSignal: options.detachSignal,
  };
}

async function deployMode(
  mode: StackMode,
  config: ConfigInput,
  options: DeployOptions,
): Promise<DeployResult> {
  const resolved = loadTemplateConfig(config, options);
  return deployStack(
    {
      mode,
      stackName: options.stackName ?? DEFAULT_STACK_NAMES[mode],
      config: resolved,
      allowReplace: options.allowReplace,
      recover: options.recover,
      execute: options.execute,
      tags: options.tags,
      timeoutMs: options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000,
    },
    createEngineContext(resolved, options),
  );
}

/** Deploys the full stack: foundation plus VPC, load balancer, ECS gateway and Redis. */
export function deployFull(config: ConfigInput = {}, options: DeployOptions = {}): Promise<DeployResult> {
  return deployMode('full', config, options);
}

/** Deploys the foundation stack: tables, alert topic and the detector Lambda. */
export function deployFoundation(
  config: ConfigInput = {},
  options: DeployOptions = {},
): Promise<DeployResult> {
  return deployMode('foundation', config, options);
}

export async function teardown(
  config: ConfigInput = {},
  options: TeardownOptions = {},
): Promise<TeardownResult> {
  const mode = options.mode ?? 'full';
  const resolved = loadStackConfig(config, options);
  return teardownStack(
    {
      mode,
      stackName: options.stackName ?? DEFAULT_STACK_NAMES[mode],
      force: options.force,
      keepImages: options.keepImages,
      purgeArtifacts: options.purgeArtifacts,
      retainBlocking: options.retainBlocking,
      timeoutMs: options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000,
    },
    createEngineContext(resolved, options),
  );
}

/** With `dryRun`, no AWS client is created at all. */
export async function plan(config: ConfigInput = {}, options: PlanOptions = {}): Promise<PlanResult> {
  const mode = options.mode ?? 'full';
  const resolved = loadTemplateConfig(config, options);
  const request = { mode, stackName: options.stackName ?? DEFAULT_STACK_NAMES[mode], config: resolved };
  if (options.dryRun) return planOffline(request, bundlePaths(options.packageRoot ?? findPackageRoot()));
  return planAgainstStack(request, createEngineContext(resolved, options));
}

export async function status(config: ConfigInput = {}, options: StatusOptions = {}): Promise<StatusResult> {
  const mode = options.mode ?? 'full';
  const resolved = loadStackConfig(config, options);
  return stackStatus(
    { stackName: options.stackName ?? DEFAULT_STACK_NAMES[mode], events: options.events },
    createEngineContext(resolved, options),
  );
}
