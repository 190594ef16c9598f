// `sentinel smoke anomaly`: the original's end-to-end anomaly check, made complete. Seed a quiet
// baseline for a fresh user, burst through the gateway, run the detector, find its block or
// throttle, and then prove the gateway enforces it (403, or 429 `throttled`) — the step the
// original never checked. Then the auth-storm path (auth-storm.ts): failed authentications from
// this machine's IP until the IP is blocked and refused. It runs second because the IP's block
// would refuse the burst too. Cleanup removes what both left.
import { randomBytes } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aggregateKey, countsFromItem, emptyCounts } from '../../core/shared/aggregate-record';
import { aggregateUpdate } from '../../core/shared/aggregate-update';
import { blockItemKey, fromBlockItem, isBlockActive } from '../../core/shared/block-record';
import { BUCKET_MS, BUCKETS_PER_HOUR, bucketStart } from '../../core/shared/buckets';
import { formatEntity, ipEntity, userEntity } from '../../core/shared/entity';
import type { TableNames } from '../../core/shared/table-setup';
import { authStormChecks, type StormReport } from './auth-storm';
import { fail, pass, type Check } from './check';
import type { DetectorSummary } from './detector-summary';
import { awaitEnforcement } from './enforcement';
import { defaultSleep, poll } from './poll';
import { CLOCK_SKEW_MS, bucketsBetween, flushBudgetMs, removeTraces } from './traces';

export interface AnomalySmokeOptions {
  gatewayUrl: string;
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tables: TableNames;
  mint: (subject: string) => Promise<string>;
  /** Runs the detector as of `atMs`; resolves to its summary. */
  runDetector: (atMs: number) => Promise<DetectorSummary>;
  baselineHourly: number;
  burstRequests: number;
  /** The auth-storm path and its size, or false to skip it (it blocks this machine's IP for a moment). */
  authStorm: { requests: number } | false;
  /** The detector's knobs, for the report. */
  threshold: number;
  minRequests: number;
  /** How long gateway tasks may take to flush aggregates, and to pick up a block. */
  flushSeconds: number;
  refreshSeconds: number;
  /** Path under /proxy for the burst. @default '/' */
  path?: string;
  keep?: boolean;
  aggregateTtlDays: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export interface AnomalyReport {
  user: string;
  baselineHourly: number;
  burstSent: number;
  burstStatuses: Record<string, number>;
  currentHourCount?: number;
  ratio?: number;
  threshold: number;
  minRequests: number;
  signal?: string;
  reason?: string;
  /** What the detector did: a block (403) or a throttle (429 `throttled`). */
  action?: 'block' | 'throttle';
  /** Until when the block or throttle holds. */
  blockedUntil?: string;
  enforcedAfterMs?: number;
  /** The auth-storm path; absent when skipped. */
  storm?: StormReport;
  cleanedUp: boolean;
}

/** Something cleanup could not remove: the entity (`user:…`, `ip:…`) and why. */
export interface CleanupFailure {
  entity: string;
  message: string;
}

const BASELINE_HOURS = 8;

/** The steps of the anomaly smoke test, sharing one report that the CLI prints at the end. */
export function anomalyChecks(options: AnomalySmokeOptions): {
  checks: Check[];
  report: AnomalyReport;
  /** Removes what the run left, whatever step it stopped at; resolves to what it could not remove. */
  cleanup: () => Promise<CleanupFailure[]>;
} {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const http = options.fetch ?? fetch;
  const user = `smoke-anomaly-${randomBytes(4).toString('hex')}`;
  const entity = userEntity(user);
  const path = `/proxy/${(options.path ?? '/').replace(/^\/+/, '')}`;
  const report: AnomalyReport = {
    user,
    baselineHourly: options.baselineHourly,
    burstSent: 0,
    burstStatuses: {},
    threshold: options.threshold,
    minRequests: options.minRequests,
    cleanedUp: false,
  };
  const startedAt = now();
  // The burst belongs to the bucket the gateway's clock puts it in, which need not be ours: the run
  // can cross a bucket boundary, and the gateway's clock can be a little off from this machine's.
  // So the burst's buckets are a range, from the start to the end of the burst, each widened by
  // the skew allowed (bucketsBetween); the detector then runs as of the end of the last.
  const firstBurstBucket = bucketStart(startedAt - CLOCK_SKEW_MS);
  let burstEndedAt = startedAt;
  const burstBuckets = () => bucketsBetween(startedAt, burstEndedAt);
  // The detector's current hour is the 4 complete buckets before its run time; the 32 buckets
  // before the hour that would hold a burst in one bucket are the baseline. A burst that spans two
  // buckets moves the hour by one, which leaves one empty bucket at the baseline's end (harmless).
  const hourStart = firstBurstBucket + BUCKET_MS - BUCKETS_PER_HOUR * BUCKET_MS;
  const baselineBuckets = Array.from(
    { length: BASELINE_HOURS * BUCKETS_PER_HOUR },
    (_, i) => hourStart - (i + 1) * BUCKET_MS,
  );
  let token: string | undefined;

  const checks: Check[] = [
    {
      name: `seed ${BASELINE_HOURS}h baseline`,
      async run() {
        // The gateway's own update, so the seeded items are exactly what traffic would leave.
        const perBucket = options.baselineHourly / BUCKETS_PER_HOUR;
        for (const bucketMs of baselineBuckets) {
          const counts = { ...emptyCounts(), requests: Math.round(perBucket * 100) / 100 };
          const increment = { bucketMs, entity, counts, endpoints: new Set(['/']) };
          await options.client.send(
            aggregateUpdate(increment, options.tables.trafficAggregates, options.aggregateTtlDays, now()),
          );
        }
        return pass(
          `${options.baselineHourly} requests/hour for ${user} over ${baselineBuckets.length} buckets`,
        );
      },
    },
    {
      name: 'burst through the gateway',
      async run() {
        token = await options.mint(user);
        const headers = { authorization: `Bearer ${token}` };
        let next = 0;
        const worker = async () => {
          while (next < options.burstRequests) {
            next++;
            const res = await http(`${options.gatewayUrl}${path}`, { headers });
            await res.arrayBuffer();
            report.burstStatuses[res.status] = (report.burstStatuses[res.status] ?? 0) + 1;
            report.burstSent++;
          }
        };
        await Promise.all(Array.from({ length: 8 }, worker));
        burstEndedAt = now();
        const refused = Object.entries(report.burstStatuses).filter(
          ([s]) => s === '401' || s === '403' || Number(s) >= 500,
        );
        return refused.length === 0
          ? pass(
              `${report.burstSent} requests: ${Object.entries(report.burstStatuses)
                .map(([s, n]) => `${n}x${s}`)
                .join(', ')}`,
            )
          : fail(`unexpected answers: ${JSON.stringify(report.burstStatuses)}`);
      },
    },
    {
      name: 'gateway flushed the aggregates',
      async run() {
        const keys = burstBuckets().map((b) => aggregateKey(b, entity));
        const deadline = now() + flushBudgetMs(options.flushSeconds);
        const seen = await poll(deadline, 500, now, sleep, async () => {
          let count = 0;
          for (const Key of keys) {
            const { Item } = await options.client.send(
              new GetCommand({ TableName: options.tables.trafficAggregates, Key, ConsistentRead: true }),
            );
            if (Item) count += countsFromItem(Item).requests;
          }
          return count >= report.burstSent ? count : undefined;
        });
        report.currentHourCount = seen;
        return seen !== undefined
          ? pass(`${seen} requests in ${keys.map((k) => k.pk).join(' + ')}`)
          : fail(
              `the burst did not reach the aggregate table within ${Math.round((deadline - startedAt) / 1000)}s`,
            );
      },
    },
    {
      name: 'detector flags and acts on the user',
      async run() {
        const summary = await options.runDetector(burstBuckets().at(-1)! + BUCKET_MS);
        const mine = summary.entities.find((e) => e.entity === `user:${user}`);
        if (!mine) return fail(`not flagged (the run flagged ${summary.anomalyCount} other entities)`);
        report.signal = mine.signal;
        report.reason = mine.reason;
        report.ratio = mine.ratio;
        const { Item } = await options.client.send(
          new GetCommand({
            TableName: options.tables.blocklist,
            Key: blockItemKey(entity),
            ConsistentRead: true,
          }),
        );
        const record = Item ? fromBlockItem(Item) : undefined;
        if (!record || !isBlockActive(record, now()))
          return fail(
            `flagged (${mine.signal}: ${mine.reason}) but no active block or throttle item (action: ${mine.action})`,
          );
        report.action = record.action;
        report.blockedUntil = new Date(record.expiresAt * 1000).toISOString();
        const what = record.action === 'throttle' ? 'throttled' : 'blocked';
        return pass(`${mine.signal}: ${mine.reason}; ${what} until ${report.blockedUntil}`);
      },
    },
    {
      name: 'gateway enforces it',
      async run() {
        const enforcement = await awaitEnforcement({
          action: report.action ?? 'block',
          send: () => http(`${options.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }),
          refreshSeconds: options.refreshSeconds,
          now,
          sleep,
        });
        report.enforcedAfterMs = enforcement.afterMs;
        return { ok: enforcement.ok, detail: enforcement.detail };
      },
    },
  ];

  const storm =
    options.authStorm === false
      ? undefined
      : authStormChecks({
          gatewayUrl: options.gatewayUrl,
          client: options.client,
          tables: options.tables,
          runDetector: options.runDetector,
          mint: options.mint,
          probeUser: `${user}-ip-probe`,
          requests: options.authStorm.requests,
          path,
          flushSeconds: options.flushSeconds,
          refreshSeconds: options.refreshSeconds,
          now,
          sleep,
          fetch: http,
        });
  if (storm) {
    checks.push(...storm.checks);
    report.storm = storm.report;
  }

  // Each entity's removal is tried whatever happened to the other's: the IP's block matters most.
  const cleanup = async (): Promise<CleanupFailure[]> => {
    if (options.keep) return [];
    const removals = [{ entity, buckets: [...baselineBuckets, ...burstBuckets()] }];
    removals.push(...(storm?.traces() ?? []));
    const failures: CleanupFailure[] = [];
    for (const removal of removals) {
      try {
        await removeTraces(options.client, options.tables, [removal.entity], removal.buckets);
      } catch (error) {
        failures.push({ entity: formatEntity(removal.entity), message: (error as Error).message });
      }
    }
    const ip = storm?.report.ip;
    if (storm && ip !== undefined && !failures.some((f) => f.entity === formatEntity(ipEntity(ip)))) {
      if (!(await storm.awaitLifted()))
        failures.push({
          entity: formatEntity(ipEntity(ip)),
          message: `removed, but the gateway still refused it after ${options.refreshSeconds * 2 + 5}s`,
        });
    }
    report.cleanedUp = failures.length === 0;
    return failures;
  };

  return { checks, report, cleanup };
}
