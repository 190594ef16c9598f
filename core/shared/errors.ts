// One error base for the whole product: a stable code to branch on, a message a user can act on,
// an optional hint, and the cause. The CLI prints message + hint; the gateway maps codes to HTTP.

/** Every error code the product raises, spelled once. */
export const ErrorCode = {
  ConfigInvalid: 'ERR_CONFIG_INVALID',
  EnvFileUnreadable: 'ERR_ENV_FILE_UNREADABLE',
  Usage: 'ERR_USAGE',
  JwtSecretTooShort: 'ERR_JWT_SECRET_TOO_SHORT',
  JwtKeyMissing: 'ERR_JWT_KEY_MISSING',
  JwtKeyInvalid: 'ERR_JWT_KEY_INVALID',
  JwtAlgorithmUnsupported: 'ERR_JWT_ALGORITHM_UNSUPPORTED',
  EntityInvalid: 'ERR_ENTITY_INVALID',
  Cancelled: 'ERR_CANCELLED',
  // Finding what a command acts on: a running `sentinel dev` or a deployed stack (src/cli/target.ts).
  TargetMissing: 'ERR_TARGET_MISSING',
  StackNotFound: 'ERR_STACK_NOT_FOUND',
  StackOutputMissing: 'ERR_STACK_OUTPUT_MISSING',
  // `sentinel dev` and `sentinel smoke`.
  DevPortInUse: 'ERR_DEV_PORT_IN_USE',
  SmokeFailed: 'ERR_SMOKE_FAILED',
  // Gateway: failures of the request path, mapped to HTTP responses in runtime/errors.ts.
  GatewayBadPath: 'ERR_GATEWAY_BAD_PATH',
  GatewayBodyTooLarge: 'ERR_GATEWAY_BODY_TOO_LARGE',
  GatewayUpstreamTimeout: 'ERR_GATEWAY_UPSTREAM_TIMEOUT',
  GatewayUpstreamUnreachable: 'ERR_GATEWAY_UPSTREAM_UNREACHABLE',
  // Templates: rendering and offline validation of the CloudFormation stacks (src/templates).
  TemplateNotFound: 'ERR_TEMPLATE_NOT_FOUND',
  TemplateInvalid: 'ERR_TEMPLATE_INVALID',
  TemplateAssetMissing: 'ERR_TEMPLATE_ASSET_MISSING',
  // Deploy engine: preflight, assets, images and stack operations (src/deploy).
  AwsCredentials: 'ERR_AWS_CREDENTIALS',
  AwsRegionMissing: 'ERR_AWS_REGION_MISSING',
  AwsRequestFailed: 'ERR_AWS_REQUEST_FAILED',
  DeployBundleMissing: 'ERR_DEPLOY_BUNDLE_MISSING',
  DeployTemplateInvalid: 'ERR_DEPLOY_TEMPLATE_INVALID',
  DeployArtifactsBucket: 'ERR_DEPLOY_ARTIFACTS_BUCKET',
  DockerUnavailable: 'ERR_DOCKER_UNAVAILABLE',
  DockerFailed: 'ERR_DOCKER_FAILED',
  ChangeSetFailed: 'ERR_CHANGE_SET_FAILED',
  // Anomaly detector (lambda/anomaly-detector).
  DetectorInputInvalid: 'ERR_DETECTOR_INPUT_INVALID',
  Internal: 'ERR_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface SentinelErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Process exit code when this error ends a CLI command. @default 1 */
  exitCode?: number;
  /** Structured facts for `--json` output (e.g. the AWS call that failed); never a secret. */
  details?: Record<string, unknown>;
}

export class SentinelError extends Error {
  override readonly name: string = 'SentinelError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: SentinelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details;
  }
}

/** A usage or configuration mistake: exit code 2. */
export class UsageError extends SentinelError {
  override readonly name = 'UsageError';
  constructor(message: string, options: Omit<SentinelErrorOptions, 'exitCode'> & { code?: string } = {}) {
    super(options.code ?? ErrorCode.Usage, message, { ...options, exitCode: 2 });
  }
}

export function isSentinelError(error: unknown): error is SentinelError {
  return error instanceof SentinelError;
}
