// What createApp needs, as interfaces: the container wires Redis, DynamoDB and undici behind them;
// `sentinel dev` wires an in-process rate limiter and a local store; tests wire whatever they test.
import type { Dispatcher } from 'undici';
import type { Preset } from '../core/config/knob';
import type { TokenVerifier } from './auth/token-verifier';
import type { Blocklist } from './blocklist/blocklist';
import type { Clock } from './lib/clock';
import type { Logger } from './lib/logger';
import type { UpstreamBase } from './proxy/target';
import type { UploadLimits } from './proxy/upload-watch';
import type { BucketPolicy, RateLimiter } from './rate-limit/decision';
import type { RateLimitHeaderStyle } from './rate-limit/headers';
import type { TelemetrySink } from './telemetry/telemetry';

export interface GatewaySettings {
  version: string;
  preset: Preset;
  upstream: UpstreamBase;
  trustedProxyHops: number;
  maxBodyBytes: number;
  /** Upload limits of a request body (408 past them). */
  upload: UploadLimits;
  /** Upstream connection permits, the per-user share of them, and the longest wait for one. */
  admission: { connections: number; perUser: number; queueWaitMs: number };
  forwardAuthorization: boolean;
  rateLimit: BucketPolicy;
  /** Rate-limit header styles on answers the limiter decided. */
  rateLimitHeaders: readonly RateLimitHeaderStyle[];
  /** Redis key prefix of the buckets. @default RATE_LIMIT_KEY_PREFIX */
  rateLimitKeyPrefix?: string;
  /** Names of the backends in use, reported by /health. */
  backends: { rateLimiter: string; blocklist: string; telemetry: string; jwt: string[] };
}

export interface GatewayDeps {
  settings: GatewaySettings;
  verifier: TokenVerifier;
  rateLimiter: RateLimiter;
  blocklist: Blocklist;
  telemetry: TelemetrySink;
  /** Connection pool to the upstream origin. */
  upstream: Dispatcher;
  clock: Clock;
  logger: Logger;
  generateRequestId?: () => string;
  /** Address used when the app runs without a socket (app.request() in tests). */
  defaultClientAddress?: string;
}
