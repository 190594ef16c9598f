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
  Internal: 'ERR_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface SentinelErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Process exit code when this error ends a CLI command. @default 1 */
  exitCode?: number;
}

export class SentinelError extends Error {
  override readonly name: string = 'SentinelError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, options: SentinelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
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
