// Wires the real dependencies from a resolved configuration: Redis (or an in-process bucket when no
// Redis URL is set), DynamoDB for the blocklist and telemetry, undici to the upstream. Any of them can
// be overridden, which is how `sentinel dev` and the tests run the same app.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Hono } from 'hono';
import type { Dispatcher } from 'undici';
import type { ResolvedConfig } from '../core/config/resolve';
import { createDocumentClient } from '../core/shared/dynamodb';
import { VERSION } from '../core/version';
import { createApp } from './app';
import { createTokenVerifier } from './auth/token-verifier';
import type { Blocklist } from './blocklist/blocklist';
import { DynamoBlocklist } from './blocklist/dynamo-blocklist';
import type { GatewayDeps } from './deps';
import { systemClock, type Clock } from './lib/clock';
import { createLineWriter, type LineSink } from './lib/line-writer';
import { createJsonLogger, type Logger } from './lib/logger';
import { rateLimitedLogger } from './lib/rate-limited-logger';
import { parseUpstreamBase } from './proxy/target';
import { createUpstreamPool } from './proxy/upstream-pool';
import type { BreakerOptions } from './rate-limit/breaker';
import type { RateLimiter } from './rate-limit/decision';
import { MemoryRateLimiter } from './rate-limit/memory-limiter';
import { createRedisClient } from './rate-limit/redis-client';
import { ResilientRateLimiter } from './rate-limit/resilient-limiter';
import type { GatewayEnv } from './request-state';
import { Telemetry } from './telemetry/telemetry';

export interface GatewayOverrides {
  clock?: Clock;
  /** Access log and metrics lines. @default stdout */
  lines?: LineSink;
  logger?: Logger;
  rateLimiter?: RateLimiter;
  rateLimitKeyPrefix?: string;
  breaker?: BreakerOptions;
  blocklist?: Blocklist;
  dynamoClient?: DynamoDBDocumentClient;
  upstream?: Dispatcher;
  /** JWKS refetch cooldown (tests shorten it). */
  jwksCooldownMs?: number;
  /** Blocklist refresh period in ms, below the knob's 1 s minimum (tests). */
  blocklistRefreshMs?: number;
  metricsMs?: number;
  random?: () => number;
  defaultClientAddress?: string;
}

export interface Gateway {
  app: Hono<GatewayEnv>;
  deps: GatewayDeps;
  telemetry: Telemetry;
  logger: Logger;
  /** Where log lines go; flushed last on shutdown. */
  lines: LineSink;
  /** First blocklist load, JWKS warm-up, background timers. */
  start(): Promise<void>;
  /** Stops timers, flushes telemetry, closes connections. */
  stop(): Promise<void>;
}

export async function createGateway(
  resolved: ResolvedConfig,
  overrides: GatewayOverrides = {},
): Promise<Gateway> {
  const config = resolved.values;
  const clock = overrides.clock ?? systemClock;
  const lines = overrides.lines ?? createLineWriter(process.stdout);
  const logger = overrides.logger ?? createJsonLogger(lines, config.logLevel, () => clock.now());
  const upstreamBase = parseUpstreamBase(config.upstreamBaseUrl!);
  const policy = { capacity: config.rateLimitCapacity, refillPerSecond: config.rateLimitRefillRate };

  const verifier = await createTokenVerifier({
    secret: config.jwtSecretKey,
    secretAlgorithm: config.jwtAlgorithm,
    publicKey: config.jwtPublicKey,
    jwksUrl: config.jwtJwksUrl,
    jwksCacheTtlMs: config.jwtJwksCacheTtlSeconds * 1000,
    jwksFetchTimeoutMs: config.jwtJwksFetchTimeoutSeconds * 1000,
    jwksCooldownMs: overrides.jwksCooldownMs,
    algorithms: config.jwtAlgorithms,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    clockSkewSeconds: config.jwtClockSkewSeconds,
    userIdClaim: config.jwtUserIdClaim,
    requireExp: config.jwtRequireExp,
    cacheSize: config.jwtVerifiedTokenCacheSize,
    clock,
    logger,
  });

  let rateLimiter = overrides.rateLimiter;
  if (!rateLimiter && config.redisUrl) {
    rateLimiter = new ResilientRateLimiter({
      ...policy,
      redis: createRedisClient({
        url: config.redisUrl,
        password: config.redisAuthToken,
        commandTimeoutMs: config.redisCommandTimeoutSeconds * 1000,
        logger,
      }),
      failureMode: config.rateLimitFailureMode,
      pingTimeoutMs: config.redisCommandTimeoutSeconds * 1000,
      commandTimeoutMs: config.redisCommandTimeoutSeconds * 1000,
      breaker: overrides.breaker,
      clock,
      logger,
    });
  }
  if (!rateLimiter) {
    logger.warn('no Redis URL: rate limiting with an in-process bucket per task');
    rateLimiter = new MemoryRateLimiter({ ...policy, clock });
  }

  const dynamo =
    overrides.dynamoClient ??
    createDocumentClient({ endpoint: config.dynamodbEndpoint, region: config.awsRegion });
  const blocklist =
    overrides.blocklist ??
    new DynamoBlocklist({
      client: dynamo,
      tableName: config.blocklistTableName,
      refreshMs: overrides.blocklistRefreshMs ?? config.blocklistRefreshSeconds * 1000,
      clock,
      logger,
    });
  const telemetry = new Telemetry({
    lines,
    // An outage fails every flush: one line per kind of failure a minute, with counts.
    logger: rateLimitedLogger(logger, clock),
    clock,
    dynamo: {
      client: dynamo,
      aggregateTable: config.trafficAggregateTableName,
      requestLogTable: config.requestLogsTableName,
    },
    flushMs: config.telemetryFlushSeconds * 1000,
    metricsMs: overrides.metricsMs,
    aggregateTtlDays: config.aggregateTtlDays,
    requestLogTtlDays: config.requestLogTtlDays,
    requestLogSampleRate: config.requestLogSampleRate,
    random: overrides.random,
    accessLog: config.accessLog,
    blocklistLoadedAt: () => blocklist.loadedAt(),
  });
  const upstream =
    overrides.upstream ??
    createUpstreamPool({
      origin: upstreamBase.origin,
      connections: config.upstreamConnections,
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    });

  const deps: GatewayDeps = {
    settings: {
      version: VERSION,
      preset: resolved.preset,
      upstream: upstreamBase,
      trustedProxyHops: config.trustedProxyHops,
      maxBodyBytes: config.maxBodyBytes,
      upload: {
        idleMs: config.bodyIdleTimeoutSeconds * 1000,
        deadlineMs: config.requestDeadlineSeconds * 1000,
      },
      admission: {
        connections: config.upstreamConnections,
        perUser: config.userConcurrency,
        queueWaitMs: config.upstreamQueueWaitSeconds * 1000,
      },
      forwardAuthorization: config.forwardAuthorization,
      rateLimitHeaders: config.rateLimitHeaders,
      rateLimit: policy,
      rateLimitKeyPrefix: overrides.rateLimitKeyPrefix,
      backends: {
        rateLimiter: rateLimiter.status().backend,
        blocklist: overrides.blocklist ? 'custom' : 'dynamodb',
        telemetry: 'dynamodb',
        jwt: [
          ...(config.jwtSecretKey ? ['secret'] : []),
          ...(config.jwtPublicKey ? ['public-key'] : []),
          ...(config.jwtJwksUrl ? ['jwks'] : []),
        ],
      },
    },
    verifier,
    rateLimiter,
    blocklist,
    telemetry,
    upstream,
    clock,
    logger,
    defaultClientAddress: overrides.defaultClientAddress,
  };
  for (const warning of resolved.warnings)
    logger.warn('configuration warning', { ...warning, source: undefined });

  return {
    app: createApp(deps),
    deps,
    telemetry,
    logger,
    lines,
    async start() {
      const redisReady = rateLimiter instanceof ResilientRateLimiter ? rateLimiter.warmUp(2_000) : undefined;
      await Promise.all([blocklist.start(), redisReady]);
      void verifier.warmUp();
      telemetry.start();
    },
    async stop() {
      blocklist.stop();
      await telemetry.stop();
      await rateLimiter.close();
      if (!overrides.upstream) await upstream.close();
      if (!overrides.dynamoClient) dynamo.destroy();
    },
  };
}
