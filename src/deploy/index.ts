// The deploy engine's public surface: the importable API, its result and event types, and the
// pure helpers other parts of the product (smoke, docs) may reuse.
export {
  deployFull,
  deployFoundation,
  teardown,
  plan,
  status,
  createEngineContext,
  loadTemplateConfig,
  loadStackConfig,
  type ApiOptions,
  type ConfigInput,
  type DeployOptions,
  type PlanOptions,
  type StatusOptions,
  type TeardownOptions,
} from './api';
export { deployStack, type DeployRequest } from './deploy';
export { teardownStack, type TeardownRequest } from './teardown';
export { planOffline, planAgainstStack, type PlanRequest, type PlanResult, type StackDiff } from './plan';
export {
  stackStatus,
  followOperation,
  statusExitCode,
  type StatusResult,
  type ServiceHealth,
  type TargetHealth,
} from './status';
export {
  exitCodeOf,
  redactParameters,
  type DeployResult,
  type TeardownResult,
  type RedactedParameter,
} from './results';
export type { DeployEvent, ProgressCallback, Step } from './events';
export type { EngineContext, Question } from './engine';
export { commandFor } from './engine';
export type { ChangeRow, DestructiveChange } from './change-table';
export { changeCells, describeDestructive } from './change-table';
export type { FailedResource } from './root-cause';
export {
  createAwsClients,
  type AwsClients,
  type AwsClientFactory,
  type AwsClientOptions,
} from './aws-clients';
export { systemClock, virtualClock, DEFAULT_INTERVALS, type Clock, type PollIntervals } from './clock';
export { spawnRunner, type CommandRunner } from './command-runner';
export { artifactsBucketName } from './assets';
export { formatElapsed } from './progress';
