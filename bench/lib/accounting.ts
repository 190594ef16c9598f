// Backend calls per proxied request, counted at the backends: Redis commands from the server's own
// counters, DynamoDB calls at a tap of its own in front of the store, proxied requests at the
// upstream. Measured on a gateway whose background timers (telemetry flush, blocklist reload) are
// pushed past the window, so that every call counted was made by the request path; what the final
// flush then writes is reported apart. Other gateways must not send Redis commands meanwhile.
import { startDynamoTap } from './dynamo-tap';
import { startGatewayProcess } from './processes';
import { runLoad } from './load';
import { commandDelta, commandStats } from './redis-stats';
import { gatewayEnv, QUIET_TIMERS, type Stack } from './stack';

export interface AccountingResult {
  proxied: number;
  redisCommands: number;
  redisByCommand: Record<string, number>;
  dynamoCalls: number;
  redisPerRequest: number;
  dynamoPerRequest: number;
  /** DynamoDB calls of the flush on SIGTERM, for those requests (batched telemetry). */
  flushCalls: number;
  flushWriteUnits: number;
}

export async function measureAccounting(
  stack: Stack,
  headers: Array<Record<string, string>>,
  requests: number,
): Promise<AccountingResult> {
  const tap = await startDynamoTap(stack.store.endpoint);
  const gateway = await startGatewayProcess(
    gatewayEnv(stack, {
      SENTINEL_API_DYNAMODB_ENDPOINT: tap.endpoint,
      ...QUIET_TIMERS,
    }),
    { name: 'gateway (accounting)' },
  );
  try {
    const target = { origin: gateway.url, paths: ['/proxy/items/42'], headers };
    // Warm: the script is loaded and every user's token verified once.
    await runLoad({ ...target, mode: 'count', amount: Math.max(200, headers.length * 2), connections: 8 });
    const [stats, served] = await Promise.all([commandStats(stack.admin), stack.upstream.served()]);
    const calls = tap.totalCalls();
    await runLoad({ ...target, mode: 'count', amount: requests, connections: 16 });
    const [statsAfter, servedAfter] = await Promise.all([commandStats(stack.admin), stack.upstream.served()]);
    const dynamoCalls = tap.totalCalls() - calls;
    const delta = commandDelta(stats, statsAfter);
    const proxied = servedAfter - served;

    const beforeStop = { calls: tap.totalCalls(), units: tap.writeUnits() };
    await gateway.stop('SIGTERM');
    return {
      proxied,
      redisCommands: delta.total,
      redisByCommand: delta.sent,
      dynamoCalls,
      redisPerRequest: delta.total / proxied,
      dynamoPerRequest: dynamoCalls / proxied,
      flushCalls: tap.totalCalls() - beforeStop.calls,
      flushWriteUnits: tap.writeUnits() - beforeStop.units,
    };
  } finally {
    await gateway.stop('SIGKILL');
    await tap.stop();
  }
}
