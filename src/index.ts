// The importable library API of sentinel-api.
export { VERSION } from '../core/version';
export { loadConfig, inspectConfig, type LoadConfigOptions } from '../core/config/load';
export {
  resolveConfig,
  type ResolvedConfig,
  type ResolveOptions,
  type ResolveResult,
} from '../core/config/resolve';
export { schema, CONFIG_KEYS, type Config, type ConfigKey } from '../core/config/schema';
export { envName, PRESETS, type Preset } from '../core/config/knob';
export { ConfigError, type ConfigIssue } from '../core/config/issues';
export { redactedValues, REDACTED } from '../core/config/redact';
export { mintToken, type MintOptions, type SigningKey } from './jwt/mint';
export { SentinelError, UsageError, ErrorCode } from '../core/shared/errors';
export { parseEntity, formatEntity, type Entity } from '../core/shared/entity';
export { startDemoUpstream, type DemoUpstream } from './dev/demo-upstream';
export {
  deployFull,
  deployFoundation,
  teardown,
  plan,
  status,
  exitCodeOf,
  type ConfigInput,
  type DeployOptions,
  type TeardownOptions,
  type PlanOptions,
  type StatusOptions,
  type DeployResult,
  type TeardownResult,
  type PlanResult,
  type StatusResult,
  type DeployEvent,
  type ProgressCallback,
  type Question,
} from './deploy';
