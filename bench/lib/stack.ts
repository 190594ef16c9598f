// Everything a bench or a drill runs the gateway against, on loopback: a real redis-server (random
// port, no persistence), the in-memory DynamoDB-compatible store with the project's tables behind a
// counting tap, and the bench upstream in its own process. `stop()` stops all of it.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Redis } from 'ioredis';
import { countsFromItem } from '../../core/shared/aggregate-record';
import { startDynalite, storeEnv, type DynaliteServer } from '../../test/helpers/dynalite';
import { tokenFor } from '../../test/helpers/gateway';
import { startRedisServer, type RedisServer } from '../../test/helpers/redis-server';
import type { TableNames } from '../../core/shared/table-setup';
import { startDynamoTap, type DynamoTap } from './dynamo-tap';
import { startBenchUpstream, type BenchUpstream } from './processes';

// The AWS SDK (the store's client, here and in every bench and drill that starts a stack) warns under
// Node 20 that its releases after January 2027 need Node 22; the project supports Node 20 (engines),
// so it is noise here, as in bin/sentinel.ts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface Stack {
  redis: RedisServer;
  /** A client for counters and checks (not the gateway's). */
  admin: Redis;
  store: DynaliteServer;
  tap: DynamoTap;
  tables: TableNames;
  upstream: BenchUpstream;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const [redis, store, upstream] = await Promise.all([
    startRedisServer(),
    startDynalite(),
    startBenchUpstream(),
  ]);
  const [tables, tap] = await Promise.all([store.createTables(), startDynamoTap(store.endpoint)]);
  const admin = redis.client();
  return {
    redis,
    admin,
    store,
    tap,
    tables,
    upstream,
    async stop() {
      admin.disconnect();
      await Promise.allSettled([upstream.stop(), tap.stop()]);
      await Promise.allSettled([redis.stop(), store.stop()]);
    },
  };
}

/** Requests counted in the stored aggregates of the entities whose key starts with `skPrefix`. */
export async function storedRequests(stack: Stack, skPrefix: string): Promise<number> {
  const { Items = [] } = await stack.store
    .documentClient()
    .send(new ScanCommand({ TableName: stack.tables.trafficAggregates, ConsistentRead: true }));
  return Items.filter((i) => String(i.sk).startsWith(skPrefix)).reduce(
    (n, i) => n + countsFromItem(i).requests,
    0,
  );
}

/**
 * Gateway settings that push its background timers (telemetry flush, blocklist reload) past any
 * measurement window, so that what is counted is the request path alone. A 10-second flush landing
 * inside a counted window or not moved the gateway's instructions per request by a quarter: its AWS
 * SDK calls are costly the first times they run, and at real request rates they amount to well
 * under 1% of the work.
 */
export const QUIET_TIMERS: Readonly<Record<string, string>> = {
  SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
  SENTINEL_API_BLOCKLIST_REFRESH_SECONDS: '3600',
};

/** The gateway's environment against this stack; `extra` wins. Limits high enough to never refuse. */
export function gatewayEnv(stack: Stack, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SENTINEL_API_UPSTREAM_BASE_URL: stack.upstream.url,
    SENTINEL_API_REDIS_URL: stack.redis.url,
    ...storeEnv(stack.tap.endpoint, stack.tables),
    SENTINEL_API_RATE_LIMIT_CAPACITY: '1000000',
    SENTINEL_API_RATE_LIMIT_REFILL_RATE: '100000',
    // The load generators walk the users in the same order on every connection, so one user can
    // have every connection's request in flight at once; the per-user cap would refuse them.
    SENTINEL_API_USER_CONCURRENCY: '4096',
    SENTINEL_API_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** `Authorization` headers of `count` users (`user-0` ...), HS256 tokens valid for an hour. */
export async function bearerHeaders(count: number, prefix = 'user'): Promise<Array<Record<string, string>>> {
  const tokens = await Promise.all(Array.from({ length: count }, (_, i) => tokenFor(`${prefix}-${i}`)));
  return tokens.map((token) => ({ authorization: `Bearer ${token}` }));
}
