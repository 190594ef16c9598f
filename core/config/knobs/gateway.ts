// Knobs of the gateway container: serving, rate limiting, blocklist enforcement, proxying and telemetry.
import { knob } from '../knob';
import {
  booleanType,
  durationType,
  enumType,
  intType,
  listType,
  numberType,
  stringType,
  urlType,
} from '../value-types';

export const gatewayKnobs = {
  port: knob(intType({ min: 1, max: 65535 }), {
    description: 'Port the gateway listens on.',
    default: 8000,
    consumers: ['cli', 'gateway'],
  }),
  redisUrl: knob(urlType({ protocols: ['redis:', 'rediss:'] }), {
    description:
      'Redis for the token bucket (wired by the full stack; `sentinel dev` uses an in-process bucket without it).',
    consumers: ['cli', 'gateway'],
    wiredByStack: true,
  }),
  redisAuthToken: knob(stringType({ maxLength: 512 }), {
    description:
      'Password (AUTH token) of that Redis; the full stack generates one in Secrets Manager and hands it to the tasks.',
    secret: true,
    consumers: ['cli', 'gateway'],
    wiredByStack: true,
  }),
  requestTimeoutSeconds: knob(durationType({ min: 1, max: 300 }), {
    description: 'Upstream timeout; a slower upstream gets 504.',
    presets: { cost: 10, performance: 8 },
    consumers: ['gateway', 'template'],
  }),
  rateLimitCapacity: knob(intType({ min: 1, max: 1_000_000 }), {
    description: 'Token bucket size per user: the burst a user may send at once.',
    presets: { cost: 100, performance: 300 },
    consumers: ['gateway', 'template'],
  }),
  rateLimitRefillRate: knob(numberType({ min: 0.001, max: 100_000 }), {
    description: 'Tokens added to each user bucket per second: the sustained request rate.',
    presets: { cost: 1, performance: 5 },
    consumers: ['gateway', 'template'],
  }),
  rateLimitHeaders: knob(listType(enumType(['legacy', 'ietf', 'draft-6', 'none'] as const)), {
    description:
      "Rate-limit headers on answers: `legacy` (`X-Rate-Limit-Remaining`, the original's), `ietf` (`RateLimit-Policy`, `RateLimit`), `draft-6` (`RateLimit-Limit/-Remaining/-Reset`), or `none`; a list combines them. Refusals always carry `Retry-After`.",
    default: ['legacy'],
    consumers: ['gateway', 'template'],
  }),
  rateLimitFailureMode: knob(enumType(['open', 'closed'] as const), {
    description:
      'When Redis is down: `open` limits with an in-process bucket per task, `closed` answers 503.',
    default: 'open',
    consumers: ['gateway', 'template'],
  }),
  blocklistRefreshSeconds: knob(durationType({ min: 1, max: 3600 }), {
    description: 'How often each gateway task reloads the blocklist snapshot from DynamoDB.',
    default: 10,
    consumers: ['gateway', 'template'],
  }),
  trustedProxyHops: knob(intType({ min: 0, max: 10 }), {
    description:
      'Proxies in front of the gateway that append to X-Forwarded-For (1 behind the ALB, 0 locally).',
    default: 0,
    consumers: ['gateway'],
  }),
  maxBodyBytes: knob(intType({ min: 0, max: 5 * 1024 ** 3 }), {
    description: 'Largest request body forwarded; larger ones get 413.',
    default: 10 * 1024 * 1024,
    consumers: ['gateway', 'template'],
  }),
  forwardAuthorization: knob(booleanType(), {
    description: 'Forward the client Authorization header to the upstream.',
    default: true,
    consumers: ['gateway', 'template'],
  }),
  telemetryFlushSeconds: knob(durationType({ min: 1, max: 300 }), {
    description:
      'How often in-memory traffic aggregates and sampled request logs are written to DynamoDB. The detector runs a minute after the flush that follows each 15-minute bucket, so a longer interval delays it.',
    default: 10,
    consumers: ['gateway', 'template'],
  }),
  requestLogSampleRate: knob(numberType({ min: 0, max: 1 }), {
    description: 'Share of successful requests written to the request log table (every non-2xx is written).',
    presets: { cost: 0.01, performance: 0.05 },
    consumers: ['gateway', 'template'],
  }),
  accessLog: knob(enumType(['all', 'errors', 'off'] as const), {
    description:
      'Access log lines on stdout: `all` requests, `errors` (answers of 400 and up, refusals included), or `off`. A line is about 300 bytes of CloudWatch Logs ingestion.',
    default: 'errors',
    consumers: ['gateway', 'template'],
  }),
  requestLogTtlDays: knob(intType({ min: 1, max: 365 }), {
    description: 'Days a request log item is kept before DynamoDB expires it.',
    default: 7,
    consumers: ['gateway', 'template'],
  }),
  aggregateTtlDays: knob(intType({ min: 2, max: 90 }), {
    description:
      'Days traffic aggregates are kept; the detector compares with the same hour on earlier days.',
    default: 8,
    consumers: ['gateway', 'template'],
  }),
  redisCommandTimeoutSeconds: knob(durationType({ min: 0.01, max: 10 }), {
    description:
      'Bound on one Redis round trip (rate limit, readiness); past it the failure mode applies. Accepts 250ms.',
    default: 0.25,
    consumers: ['gateway', 'template'],
  }),
  jwtJwksFetchTimeoutSeconds: knob(durationType({ min: 0.1, max: 60 }), {
    description: 'Bound on one JWKS fetch; an unreachable endpoint with no fitting cached key gives 503.',
    default: 3,
    consumers: ['gateway', 'template'],
  }),
  jwtVerifiedTokenCacheSize: knob(intType({ min: 0, max: 1_000_000 }), {
    description:
      'Verified tokens remembered (LRU, never past exp) so a reused token skips the signature check; 0 disables.',
    default: 10_000,
    consumers: ['gateway', 'template'],
  }),
  upstreamConnections: knob(intType({ min: 1, max: 4096 }), {
    description: 'Keep-alive connections each gateway task may open to the upstream.',
    default: 128,
    consumers: ['gateway', 'template'],
  }),
  bodyIdleTimeoutSeconds: knob(durationType({ min: 0.1, max: 300 }), {
    description:
      'A request body that brings no byte for this long gets 408 and its upstream request is aborted. Accepts 500ms.',
    default: 10,
    consumers: ['gateway'],
  }),
  requestDeadlineSeconds: knob(durationType({ min: 1, max: 3600 }), {
    description:
      "Longest a request with a body may take from its arrival until the upstream's answer begins, upload included; past it 408 while the body is still arriving, 504 after.",
    default: 120,
    consumers: ['gateway'],
  }),
  upstreamQueueWaitSeconds: knob(durationType({ min: 0.01, max: 60 }), {
    description:
      'How long a request waits for a free upstream connection (in a queue as long as the pool) before 503 with Retry-After. Accepts 500ms.',
    default: 2,
    consumers: ['gateway'],
  }),
  userConcurrency: knob(intType({ min: 1, max: 4096 }), {
    description:
      'Requests one user may have in flight to the upstream (waiting ones included); more get 429 `too_many_in_flight`. Never more than a quarter of SENTINEL_API_UPSTREAM_CONNECTIONS (at least 1).',
    presets: { cost: 16, performance: 32 },
    consumers: ['gateway'],
  }),
  // At most 110 s: the task's stop timeout is this plus 10 s of telemetry flush, and Fargate caps
  // the stop timeout at 120 s.
  shutdownGraceSeconds: knob(durationType({ min: 0, max: 110 }), {
    description:
      "On SIGTERM, how long in-flight requests may finish before telemetry is flushed (at most 10 s more) and the task exits; the deployed task's ECS stop timeout is this plus 10 s.",
    default: 15,
    consumers: ['gateway', 'template'],
  }),
};
