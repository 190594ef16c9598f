// Structured operational logs (one JSON object per line), separate from the per-request access log.
// The interface is small so that `sentinel dev` can route gateway logs to its own terminal UI. Every
// line passes the one redaction (a password in a Redis URL, a token in a JWKS URL never shows).
import { redactSecrets } from '../../core/shared/redact-secrets';
import type { LineSink } from './line-writer';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function createJsonLogger(sink: LineSink, level: LogLevel = 'info', now = () => Date.now()): Logger {
  const min = RANK[level];
  const log = (lvl: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    sink.write(
      redactSecrets(
        JSON.stringify(
          { time: new Date(now()).toISOString(), level: lvl, msg: message, ...fields },
          errorJson,
        ),
      ),
    );
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Errors serialise to their name, code and message only: no stack in log lines shipped to CloudWatch. */
function errorJson(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
