// `npm run bench:cost`: DynamoDB write units the gateway consumes for a realistic mix, next to the
// original's two writes per request. The mix: 1,000 users (Zipf), 2% errors, several simulated
// minutes of traffic sent faster than real time; the gateway's flush interval is shortened by the
// same factor, so each flush sees as many requests as it would in real time. Write units are counted
// at a tap in front of the store, which has the store bill each write as DynamoDB does. Options:
// --users N, --simulated-rate R (req/s being simulated), --minutes M (simulated), --rate W (req/s
// actually sent), --quick (`-- --help` lists them).
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { countsFromItem } from '../core/shared/aggregate-record';
import { BUCKET_MS } from '../core/shared/buckets';
import { schema } from '../core/config/schema';
import { PRICE_DATE, PRICE_REGION, PRICES } from '../src/templates/prices';
import { describeMachine, machineInfo } from './lib/machine';
import { runLoad } from './lib/load';
import { startGatewayProcess } from './lib/processes';
import { writeResults } from './lib/results';
import { bearerHeaders, gatewayEnv, startStack, type Stack } from './lib/stack';
import { round } from './lib/stats';
import { formatTable } from './lib/table';
import { scriptArgs } from '../scripts/lib/script-args';
import { buildMix } from './lib/traffic-mix';

/**
 * DynamoDB on-demand price of one million write request units, us-east-1, Standard table class,
 * as published since the November 2024 price reduction (checked 2026-11-29).
 */
const USD_PER_MILLION_WRITE_UNITS = 0.625;
const PRICE_NOTE =
  '$0.625 per million write request units (on-demand, us-east-1, Standard; checked 2026-11-29)';
/** The original wrote a request log item and an aggregate update (each under 1 KB) per request. */
const ORIGINAL_WRITE_UNITS_PER_REQUEST = 2;
const BAR_SHARE_OF_ORIGINAL = 0.02;
/** Slack past the load's end for its last requests to be answered, within the same bucket. */
const BUCKET_MARGIN_MS = 10_000;
/** The gateway's default, which the run keeps. */
const ACCESS_LOG_MODE = schema.accessLog.default;
/** The cost preset's flush interval, which the compressed run scales down. */
const PRESET_FLUSH_SECONDS = 10;

const args = scriptArgs({
  command: 'npm run bench:cost --',
  summary:
    "DynamoDB write units the gateway consumes for a realistic traffic mix, against the original's two writes per request.",
  options: {
    users: { value: 'N', description: 'users in the mix (Zipf)', default: '1000' },
    'simulated-rate': { value: 'R', description: 'req/s of the traffic being simulated', default: '200' },
    minutes: { value: 'M', description: 'simulated minutes of traffic', default: '15' },
    rate: { value: 'W', description: 'req/s actually sent', default: '1000' },
    quick: { description: 'one simulated minute' },
  },
});
const users = args.number('users', { integer: true, min: 1 });
const simulatedRate = args.number('simulated-rate', { min: 1 });
const minutes = args.flag('quick') ? 1 : args.number('minutes', { min: 1 });
const rate = args.number('rate', { min: 1 });
const compression = rate / simulatedRate;
const requests = Math.round(simulatedRate * minutes * 60);

async function scan(stack: Stack, table: string): Promise<Array<Record<string, unknown>>> {
  const client = stack.store.documentClient();
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  console.log(`SentinelAPI cost bench on ${describeMachine(machine)}`);
  const flushSeconds = Math.max(1, PRESET_FLUSH_SECONDS / compression);
  console.log(
    `${users} users (Zipf), ${minutes} simulated minutes at ${simulatedRate} req/s = ${requests} requests, ` +
      `sent at ${rate} req/s (x${round(compression, 1)}), flush every ${round(flushSeconds, 2)} s`,
  );
  const mix = buildMix({ users, requests });
  const stack = await startStack();
  try {
    const headers = [
      ...(await bearerHeaders(users)),
      { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.invalid-signature' },
    ];
    const gateway = await startGatewayProcess(
      gatewayEnv(stack, {
        SENTINEL_API_OPTIMIZE_FOR: 'cost',
        SENTINEL_API_TELEMETRY_FLUSH_SECONDS: String(flushSeconds),
        // The mix's errors are its own: no user of it is rate limited.
        SENTINEL_API_RATE_LIMIT_CAPACITY: '1000000',
        SENTINEL_API_RATE_LIMIT_REFILL_RATE: '100000',
      }),
    );
    // The mix is one 15-minute bucket of traffic, compressed; a run that crossed a bucket boundary
    // of the real clock would write every active user twice (once per bucket), which one bucket of
    // real traffic never does. So it starts when it fits in what is left of the current bucket.
    const needMs = (requests / rate) * 1000 + BUCKET_MARGIN_MS;
    const leftMs = BUCKET_MS - (Date.now() % BUCKET_MS);
    if (leftMs < needMs && needMs <= BUCKET_MS) {
      console.log(
        `waiting ${Math.ceil(leftMs / 1000)} s for the next 15-minute bucket (the run must not straddle two)`,
      );
      await new Promise((resolve) => setTimeout(resolve, leftMs + 1000));
    }
    const callsAtStart = stack.tap.counts();
    const load = await runLoad({
      mode: 'rate',
      origin: gateway.url,
      paths: mix.paths,
      headers,
      sequence: mix.sequence,
      rate,
      durationSec: requests / rate,
      connections: 64,
    });
    // SIGTERM: the last flush writes what is left, as a task being replaced would.
    const exit = await gateway.stop('SIGTERM');
    const counts = stack.tap.counts();
    const scanCalls = (counts.Scan?.calls ?? 0) - (callsAtStart.Scan?.calls ?? 0);

    const logs = gateway.logVolume();
    const aggregates = counts.UpdateItem ?? { calls: 0, failed: 0, itemsWritten: 0, writeUnits: 0 };
    const requestLogs = counts.BatchWriteItem ?? { calls: 0, failed: 0, itemsWritten: 0, writeUnits: 0 };
    const sent = load.sent;
    const perMillion = (n: number) => (n / sent) * 1e6;
    const total = aggregates.writeUnits + requestLogs.writeUnits;
    const original = ORIGINAL_WRITE_UNITS_PER_REQUEST * sent;
    const share = total / original;

    // The counts in the store add up to what was sent (nothing lost, nothing double-counted).
    const aggregateItems = await scan(stack, stack.tables.trafficAggregates);
    const counted = aggregateItems.reduce((n, item) => n + countsFromItem(item).requests, 0);
    const logItems = (await scan(stack, stack.tables.requestLogs)).length;
    const non2xx = load.completed - load.statuses['2xx'];

    const usd = (units: number) => (perMillion(units) / 1e6) * USD_PER_MILLION_WRITE_UNITS;
    const dollars = (units: number) => `$${usd(units).toFixed(4)}`;
    const rows = [
      [
        'aggregates (UpdateItem ADD)',
        aggregates.calls,
        aggregates.itemsWritten,
        aggregates.writeUnits,
        perMillion(aggregates.writeUnits),
        dollars(aggregates.writeUnits),
      ],
      [
        'request logs (BatchWriteItem)',
        requestLogs.calls,
        requestLogs.itemsWritten,
        requestLogs.writeUnits,
        perMillion(requestLogs.writeUnits),
        dollars(requestLogs.writeUnits),
      ],
      [
        'gateway total',
        aggregates.calls + requestLogs.calls,
        aggregates.itemsWritten + requestLogs.itemsWritten,
        total,
        perMillion(total),
        dollars(total),
      ],
      [
        'original (2 writes per request)',
        original,
        original,
        original,
        perMillion(original),
        dollars(original),
      ],
    ];
    console.log(
      `\nSent ${sent} requests (${load.statuses['2xx']} 2xx, ${non2xx} non-2xx, ${load.clientErrors} client errors), ` +
        `${mix.activeUsers} users active; gateway exit ${exit}.`,
    );
    console.log(
      formatTable(['writes', 'calls', 'items', 'write units', 'WCU / 1M requests', '$ / 1M requests'], rows),
    );
    console.log(
      `\nWrite units: ${round(share * 100, 2)}% of the original's (bar: at most ${BAR_SHARE_OF_ORIGINAL * 100}%) ` +
        `${share <= BAR_SHARE_OF_ORIGINAL ? 'met' : 'NOT MET'}. Price: ${PRICE_NOTE}.`,
    );
    console.log(
      `Check: aggregates count ${counted} requests for ${sent} sent; ${logItems} request log items for ` +
        `${non2xx} non-2xx answers and the sampled 2xx; blocklist reads: ${scanCalls} Scans.`,
    );
    // The other per-request cost: CloudWatch Logs ingestion of what the gateway wrote to stdout.
    const logUsd = (bytes: number) => (perMillion(bytes) / 1e9) * PRICES.logs.ingestGb;
    const perAccessLine = logs.accessEvents > 0 ? logs.accessBytes / logs.accessEvents : 0;
    const allLinesUsd = (perAccessLine * 1e6 * PRICES.logs.ingestGb) / 1e9;
    console.log(
      `\nCloudWatch Logs: ${logs.events} events, ${round(logs.bytes / 1e6, 2)} MB as billed ` +
        `(${logs.accessEvents} access log lines with ${ACCESS_LOG_MODE}) = $${logUsd(logs.bytes).toFixed(4)} ` +
        `per 1M requests at $${PRICES.logs.ingestGb}/GB (${PRICE_REGION}, ${PRICE_DATE}); an access log line ` +
        `averaged ${Math.round(perAccessLine)} bytes, so SENTINEL_API_ACCESS_LOG=all would add about ` +
        `$${allLinesUsd.toFixed(3)} per 1M requests.`,
    );
    const file = writeResults('cost', {
      date: new Date().toISOString(),
      command: `npm run bench:cost${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine,
      mix: {
        users,
        exponent: 1,
        simulatedRate,
        minutes,
        rate,
        compression,
        flushSeconds,
        planned: mix.planned,
        activeUsers: mix.activeUsers,
      },
      load: { sent, completed: load.completed, statuses: load.statuses, clientErrors: load.clientErrors },
      writes: { aggregates, requestLogs },
      cloudWatchLogs: {
        ...logs,
        accessLog: ACCESS_LOG_MODE,
        usdPerMillionRequests: logUsd(logs.bytes),
        usdPerMillionRequestsWithAllLines: allLinesUsd,
        price: `$${PRICES.logs.ingestGb}/GB ingested (${PRICE_REGION}, ${PRICE_DATE})`,
      },
      perMillionRequests: { gateway: perMillion(total), original: perMillion(original) },
      shareOfOriginal: share,
      usdPerMillionRequests: { gateway: usd(total), original: usd(original), price: PRICE_NOTE },
      checks: { aggregateRequests: counted, requestLogItems: logItems, non2xx },
      barMet: share <= BAR_SHARE_OF_ORIGINAL,
      seconds: Math.round((Date.now() - started) / 1000),
    });
    console.log(`\n${file} (${Math.round((Date.now() - started) / 1000)} s)`);
    if (share > BAR_SHARE_OF_ORIGINAL || (load.clientErrors === 0 && counted !== sent)) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
