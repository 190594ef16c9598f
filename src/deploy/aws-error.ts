// The one formatter of AWS failures: which call failed (service, operation, resource), what AWS
// answered (HTTP status, error code and message, request id), and what to do about the common cases.
// Every command reports AWS errors through here. It imports no SDK module, so the CLI's error path
// stays light.
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { isThrottlingError } from './throttle';

/** Which call an error came from; attached by `nameAwsCalls` in aws-clients.ts. */
export interface AwsCall {
  /** e.g. "S3", "CloudFormation". */
  service: string;
  /** e.g. "HeadObject". */
  operation: string;
  /** What the call was about, e.g. "s3://bucket/key" or "stack SentinelSdkFull". */
  resource?: string;
}

export type AwsErrorKind =
  'credentials' | 'expired-token' | 'region' | 'access-denied' | 'throttled' | 'not-aws' | 'other';

export interface AwsErrorFacts extends Partial<AwsCall> {
  kind: AwsErrorKind;
  httpStatus?: number;
  /** AWS's error code (the SDK error's name), e.g. "AccessDenied". */
  code: string;
  message: string;
  requestId?: string;
  /** For access-denied: the IAM action the credentials lack. */
  missingAction?: string;
  hint: string;
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $fault?: string;
  $call?: AwsCall;
}

const CALL = Symbol.for('sentinel.awsCall');

const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'IncompleteSignature',
]);
const EXPIRED_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);
const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'Forbidden',
]);
/** IAM action prefixes by the service names `nameAwsCalls` uses. */
const IAM_PREFIX: Record<string, string> = {
  CloudFormation: 'cloudformation',
  S3: 's3',
  ECR: 'ecr',
  STS: 'sts',
  ECS: 'ecs',
  CloudWatchLogs: 'logs',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  Lambda: 'lambda',
  DynamoDB: 'dynamodb',
};

/** Operations whose IAM action has another name. */
const IAM_ACTION: Record<string, string> = {
  'S3:HeadObject': 's3:GetObject',
  'S3:HeadBucket': 's3:ListBucket',
  'S3:ListObjectsV2': 's3:ListBucket',
  'S3:DeleteObjects': 's3:DeleteObject',
  'S3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  'S3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  'S3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
  'ECR:ListTagsForResource': 'ecr:ListTagsForResource',
};

export const CREDENTIALS_HINT =
  'Configure credentials (aws configure, aws sso login, AWS_PROFILE or --profile, or OIDC in CI)';
export const REGION_HINT =
  'Pass --region, set SENTINEL_API_AWS_REGION or AWS_REGION, or give your profile a region';

/** Records which call an error came from (the SDK's errors do not say). Returns the same error. */
export function annotateAwsError(error: unknown, call: AwsCall): unknown {
  if (error && typeof error === 'object' && !(CALL in error)) {
    Object.defineProperty(error, CALL, { value: call, enumerable: false });
  }
  return error;
}

export function awsCallOf(error: unknown): AwsCall | undefined {
  return error && typeof error === 'object' ? (error as Record<symbol, AwsCall>)[CALL] : undefined;
}

/** What a call's input is about, for the message: the stack, the bucket and key, the repository... */
export function resourceOf(input: unknown): string | undefined {
  const i = (input ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  if (text(i.Bucket)) return `s3://${String(i.Bucket)}${text(i.Key) ? `/${String(i.Key)}` : ''}`;
  if (text(i.StackName)) return `stack ${String(i.StackName)}`;
  if (text(i.repositoryName)) return `repository ${String(i.repositoryName)}`;
  if (Array.isArray(i.repositoryNames) && i.repositoryNames.length > 0)
    return `repository ${i.repositoryNames.join(', ')}`;
  if (text(i.logGroupName)) return `log group ${String(i.logGroupName)}`;
  if (text(i.TargetGroupArn)) return String(i.TargetGroupArn);
  if (Array.isArray(i.services) && i.services.length > 0) return `service ${i.services.join(', ')}`;
  if (text(i.FunctionName)) return `function ${String(i.FunctionName)}`;
  if (text(i.TableName)) return `table ${String(i.TableName)}`;
  return undefined;
}

/** An error that came out of the AWS SDK (a service answer, or the SDK's credential/region chain). */
export function isAwsError(error: unknown): boolean {
  if (!error || typeof error !== 'object' || error instanceof SentinelError) return false;
  const e = error as SdkErrorLike;
  return (
    e.$metadata !== undefined ||
    awsCallOf(error) !== undefined ||
    e.name === 'CredentialsProviderError' ||
    (e.message === 'Region is missing' && e.name === 'Error')
  );
}

function missingActionOf(message: string, call: AwsCall | undefined): string | undefined {
  const stated = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message)?.[1];
  if (stated) return stated;
  if (!call) return undefined;
  const mapped = IAM_ACTION[`${call.service}:${call.operation}`];
  if (mapped) return mapped;
  const prefix = IAM_PREFIX[call.service];
  return prefix ? `${prefix}:${call.operation}` : undefined;
}

/** Reads an SDK error into facts and a hint. Pure. */
export function describeAwsError(error: unknown): AwsErrorFacts {
  const e = (error ?? {}) as SdkErrorLike;
  const call = awsCallOf(error);
  const httpStatus = e.$metadata?.httpStatusCode;
  const rawName = e.Code ?? e.name ?? 'Error';
  const rawMessage = (e.message ?? String(error)).split('\n')[0]!.trim();
  // An answer the SDK could not read as AWS's: an HTML page, or an empty body (HEAD requests, proxies).
  const unreadable =
    rawName === 'Unknown' ||
    rawMessage === 'UnknownError' ||
    /XML parse error|Deserialization error|Unexpected token .* JSON|is not valid JSON/i.test(rawMessage);
  const code = unreadable ? 'UnknownError' : rawName;
  const base = {
    ...call,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    code,
    message: unreadable
      ? httpStatus === undefined
        ? `the response could not be read (${rawMessage})`
        : `the HTTP ${httpStatus} response had no AWS error in it (${rawMessage})`
      : rawMessage,
    ...(e.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
  };
  if (
    rawName === 'CredentialsProviderError' ||
    CREDENTIAL_CODES.has(code) ||
    /could not load credentials/i.test(rawMessage)
  )
    return { ...base, kind: 'credentials', hint: CREDENTIALS_HINT };
  if (EXPIRED_CODES.has(code))
    return {
      ...base,
      kind: 'expired-token',
      hint: 'Your session has expired: refresh it (aws sso login, or new temporary credentials) and run again',
    };
  if (rawMessage === 'Region is missing') return { ...base, kind: 'region', hint: REGION_HINT };
  if (isThrottlingError({ name: code, message: rawMessage, $metadata: { httpStatusCode: httpStatus } }))
    return {
      ...base,
      kind: 'throttled',
      hint: 'AWS is throttling this account and region: wait a minute and run again (other deploys or scripts share the limit)',
    };
  if (DENIED_CODES.has(code) || (unreadable && httpStatus === 403)) {
    const missingAction = missingActionOf(rawMessage, call);
    const endpoint = unreadable
      ? '; the answer carried no AWS details, so if AWS_ENDPOINT_URL or a proxy is set, check that it reaches AWS'
      : '';
    return {
      ...base,
      kind: 'access-denied',
      ...(missingAction ? { missingAction } : {}),
      hint: `${missingAction ? `Your credentials lack ${missingAction}${call?.resource ? ` on ${call.resource}` : ''}: add it to their IAM policy` : 'Your credentials are not allowed this call: check their IAM policy'}${endpoint}`,
    };
  }
  if (unreadable)
    return {
      ...base,
      kind: 'not-aws',
      hint: 'The answer did not come from AWS: check AWS_ENDPOINT_URL* settings, HTTPS_PROXY, or a firewall or captive portal between you and AWS',
    };
  return { ...base, kind: 'other', hint: 'Run again with --debug for the full error' };
}

/** One line: "S3 HeadObject on s3://b/k failed: HTTP 403 UnknownError: ... (request id R)". */
export function formatAwsError(facts: AwsErrorFacts): string {
  const call = facts.operation
    ? `${facts.service ? `${facts.service} ` : ''}${facts.operation}${facts.resource ? ` on ${facts.resource}` : ''}`
    : 'An AWS call';
  const status = facts.httpStatus !== undefined ? `HTTP ${facts.httpStatus} ` : '';
  const request = facts.requestId ? ` (request id ${facts.requestId})` : '';
  return `${call} failed: ${status}${facts.code}: ${facts.message}${request}`;
}

/**
 * The SentinelError a command ends with. Credentials and region problems read the same in every
 * command and exit 2 (fix the setup); other AWS failures exit 1.
 */
export function awsFailure(error: unknown): SentinelError {
  const facts = describeAwsError(error);
  const setup = facts.kind === 'credentials' || facts.kind === 'expired-token' || facts.kind === 'region';
  // The credentials message leaves the call out so that it reads the same in every command.
  const message =
    facts.kind === 'credentials' || facts.kind === 'expired-token'
      ? `No usable AWS credentials: ${facts.code === 'CredentialsProviderError' ? '' : `${facts.code}: `}${facts.message}`
      : facts.kind === 'region'
        ? 'No AWS region is configured'
        : formatAwsError(facts);
  return new SentinelError(
    facts.kind === 'region'
      ? ErrorCode.AwsRegionMissing
      : setup
        ? ErrorCode.AwsCredentials
        : ErrorCode.AwsRequestFailed,
    message,
    { hint: facts.hint, cause: error, exitCode: setup ? 2 : 1, details: { aws: facts } },
  );
}

/** A failed auxiliary call that a command reported around (status, teardown's clean-up). */
export interface FailedCall {
  call: string;
  error: string;
  code: string;
  hint: string;
}

export function failedCall(error: unknown, fallbackCall: string): FailedCall {
  const facts = describeAwsError(error);
  return {
    call: facts.operation ? `${facts.service ?? ''} ${facts.operation}`.trim() : fallbackCall,
    error: formatAwsError(facts),
    code: facts.code,
    hint: facts.hint,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any SDK operation's input
type AnyOp = (input: any) => Promise<unknown>;

/**
 * Wraps an API object's operations so that their errors say which call failed: the operation name
 * is the method's (`headObject` is S3 HeadObject). Wrapping the narrow API rather than the SDK
 * client keeps it working when tests script the client with aws-sdk-client-mock.
 */
export function nameAwsCalls<T extends Record<string, AnyOp>>(service: string, api: T): T {
  const named: Record<string, AnyOp> = {};
  for (const [method, call] of Object.entries(api)) {
    const operation = method.charAt(0).toUpperCase() + method.slice(1);
    named[method] = async (input) => {
      try {
        return await call(input);
      } catch (error) {
        throw annotateAwsError(error, { service, operation, resource: resourceOf(input) });
      }
    };
  }
  return named as T;
}
