// The auth-storm path of `sentinel smoke anomaly`: requests with a token the gateway must refuse
// (401), from this machine's address, until the detector sees an auth storm from that IP and blocks
// it, and the gateway refuses the IP with 403. The IP is not known here (in dev it is the loopback
// address as the gateway writes it, behind a load balancer this machine's public address), so it is
// read back from the aggregates: the one IP whose failed authentications in the storm's buckets add
// up to what was sent. The run never guesses between several, since cleanup removes the IP's block.
// The block is proven with a valid token for a probe user: answered 200 until the gateway has the
// block, so its 403 can only be the IP's (and the probes add no failed authentication to the IP).
import { randomBytes } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { blockItemKey, fromBlockItem, isBlockActive } from '../../core/shared/block-record';
import { BUCKET_MS } from '../../core/shared/buckets';
import { formatEntity, ipEntity, userEntity, type Entity } from '../../core/shared/entity';
import type { TableNames } from '../../core/shared/table-setup';
import { mintToken } from '../jwt/mint';
import { fail, pass, type Check } from './check';
import type { DetectorSummary } from './detector-summary';
import { awaitEnforcement } from './enforcement';
import { defaultSleep, poll } from './poll';
import { authFailuresByIp, bucketsBetween, flushBudgetMs } from './traces';

export interface AuthStormOptions {
  gatewayUrl: string;
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tables: TableNames;
  /** Runs the detector as of `atMs`; resolves to its summary. */
  runDetector: (atMs: number) => Promise<DetectorSummary>;
  mint: (subject: string) => Promise<string>;
  /** The probe user's id. */
  probeUser: string;
  requests: number;
  /** The path the storm calls, /proxy included. */
  path: string;
  flushSeconds: number;
  refreshSeconds: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export interface StormReport {
  /** The client IP the gateway counted the storm under, once found in the aggregates. */
  ip?: string;
  sent: number;
  statuses: Record<string, number>;
  /** Failed authentications the aggregates hold for the IP in the storm's buckets. */
  authFailures?: number;
  signal?: string;
  reason?: string;
  action?: string;
  blockedUntil?: string;
  enforcedAfterMs?: number;
}

/** Workers sending the storm: enough to finish in seconds, few enough for any gateway. */
const STORM_WORKERS = 4;

export function authStormChecks(options: AuthStormOptions): {
  checks: Check[];
  report: StormReport;
  /** The IP (once known) and the probe user (once used), with the buckets they may hold items in. */
  traces: () => Array<{ entity: Entity; buckets: number[] }>;
  /**
   * After the IP's block is removed: waits until the gateway lets the probe user through again, so
   * that this machine is not refused after the run (nor a second run's burst). False when it still
   * refuses after two refresh intervals; true at once when the block was never proven.
   */
  awaitLifted: () => Promise<boolean>;
} {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const http = options.fetch ?? fetch;
  const url = `${options.gatewayUrl}${options.path}`;
  const report: StormReport = { sent: 0, statuses: {} };
  // Like the burst's, the storm's buckets are those the gateway's clock can put it in.
  let startedAt = 0;
  let endedAt = 0;
  const stormBuckets = () => bucketsBetween(startedAt, endedAt);
  let entity: Entity | undefined;
  let probed = false;
  let probeToken: string | undefined;

  const checks: Check[] = [
    {
      name: 'auth storm through the gateway',
      async run() {
        // Well-formed and signed, with a key the gateway has never seen: refused as a bad token.
        const token = await mintToken({
          key: { kind: 'secret', secret: randomBytes(32).toString('base64url') },
          algorithm: 'HS256',
          subject: `smoke-storm-${randomBytes(4).toString('hex')}`,
          ttlSeconds: 900,
          now: now(),
        });
        const headers = { authorization: `Bearer ${token}` };
        startedAt = now();
        let next = 0;
        const worker = async () => {
          while (next < options.requests) {
            next++;
            const res = await http(url, { headers });
            await res.arrayBuffer();
            report.statuses[res.status] = (report.statuses[res.status] ?? 0) + 1;
            report.sent++;
          }
        };
        await Promise.all(Array.from({ length: STORM_WORKERS }, worker));
        endedAt = now();
        const others = Object.keys(report.statuses).filter((s) => s !== '401');
        return others.length === 0
          ? pass(`${report.sent} requests with an unknown signing key: ${report.sent}x401`)
          : fail(`expected only 401, got ${JSON.stringify(report.statuses)}`);
      },
    },
    {
      name: "gateway flushed the storm's IP",
      async run() {
        const buckets = stormBuckets();
        const deadline = now() + flushBudgetMs(options.flushSeconds);
        const candidates = await poll(deadline, 500, now, sleep, async () => {
          const totals = await authFailuresByIp(options.client, options.tables, buckets);
          const found = [...totals].filter(([, failures]) => failures >= report.sent);
          return found.length > 0 ? found : undefined;
        });
        if (candidates === undefined)
          return fail(
            `the storm did not reach the aggregate table in ${Math.round(flushBudgetMs(options.flushSeconds) / 1000)}s`,
          );
        if (candidates.length > 1)
          return fail(
            `${candidates.length} IPs have ${report.sent}+ failed authentications in the storm's buckets (${candidates
              .map(([ip]) => formatEntity(ipEntity(ip)))
              .join(', ')}); not guessing which is this machine's`,
          );
        const [ip, failures] = candidates[0]!;
        entity = ipEntity(ip);
        report.ip = entity.id;
        report.authFailures = failures;
        return pass(`${failures} failed authentications from ${formatEntity(entity)}`);
      },
    },
    {
      name: "detector blocks the storm's IP",
      async run() {
        const ip = entity!;
        const summary = await options.runDetector(stormBuckets().at(-1)! + BUCKET_MS);
        const mine = summary.entities.find((e) => e.entity === formatEntity(ip));
        if (!mine)
          return fail(
            `${formatEntity(ip)} not flagged (the run flagged ${summary.anomalyCount} other entities)`,
          );
        report.signal = mine.signal;
        report.reason = mine.reason;
        report.action = mine.action;
        if (mine.signal !== 'auth-storm' || mine.action !== 'block')
          return fail(`flagged as ${mine.signal}, action ${mine.action} (expected auth-storm, block)`);
        const { Item } = await options.client.send(
          new GetCommand({
            TableName: options.tables.blocklist,
            Key: blockItemKey(ip),
            ConsistentRead: true,
          }),
        );
        const record = Item ? fromBlockItem(Item) : undefined;
        if (!record || record.action !== 'block' || !isBlockActive(record, now()))
          return fail(`flagged (${mine.signal}: ${mine.reason}) but no active block item`);
        report.blockedUntil = new Date(record.expiresAt * 1000).toISOString();
        return pass(`${mine.signal}: ${mine.reason}; blocked until ${report.blockedUntil}`);
      },
    },
    {
      name: 'gateway enforces the IP block',
      async run() {
        const token = await options.mint(options.probeUser);
        probeToken = token;
        probed = true;
        const enforcement = await awaitEnforcement({
          action: 'block',
          send: () => http(url, { headers: { authorization: `Bearer ${token}` } }),
          refreshSeconds: options.refreshSeconds,
          now,
          sleep,
        });
        report.enforcedAfterMs = enforcement.afterMs;
        return { ok: enforcement.ok, detail: enforcement.detail };
      },
    },
  ];

  // The probes after the storm are counted too, in buckets up to now.
  const traces = () => {
    const buckets = bucketsBetween(startedAt, now());
    return [
      ...(entity ? [{ entity, buckets }] : []),
      ...(probed ? [{ entity: userEntity(options.probeUser), buckets }] : []),
    ];
  };

  const awaitLifted = async () => {
    if (probeToken === undefined) return true;
    const headers = { authorization: `Bearer ${probeToken}` };
    const deadline = now() + (options.refreshSeconds * 2 + 5) * 1000;
    const lifted = await poll(deadline, 250, now, sleep, async () => {
      const res = await http(url, { headers });
      await res.arrayBuffer();
      return res.status === 403 ? undefined : true;
    });
    return lifted === true;
  };

  return { checks, report, traces, awaitLifted };
}
