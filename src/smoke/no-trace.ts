// A smoke run that leaves nothing for the detector: its requests are counted per test user as they
// are sent, the run starts where its traffic, the gateway's flush and the removal fit in one
// 15-minute bucket (traces.ts says why that is enough), and a last check waits for the flush,
// removes the users' items and says whether that happened before the detector could read them.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BUCKET_MS, bucketStart } from '../../core/shared/buckets';
import { userEntity } from '../../core/shared/entity';
import type { TableNames } from '../../core/shared/table-setup';
import { HOT_WINDOW_REQUESTS } from '../../runtime/telemetry/write-schedule';
import { fail, pass, type Check } from './check';
import {
  CLOCK_SKEW_MS,
  TrafficLedger,
  bucketsBetween,
  countedRequests,
  flushBudgetMs,
  removeTraces,
  waitBeforeTrafficMs,
} from './traces';

export interface NoTraceOptions {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tables: TableNames;
  /** How often the gateway flushes its aggregates. */
  flushSeconds: number;
  /** Mints a token for a test user. */
  mint: (subject: string) => Promise<string>;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface NoTrace {
  /** Mints through the options' mint and remembers whose token it is. */
  mint: (subject: string) => Promise<string>;
  /** Sends like fetch and counts each request the gateway will aggregate under a test user. */
  fetch: typeof fetch;
  /** How long to wait before the run for it to fit in one bucket (`runMs` at most). */
  waitMs(runMs: number): number;
  /** Marks the start of the traffic; call after the wait. */
  start(): void;
  /** The last check: the flush awaited, the test users' items removed, in time or not. */
  check: Check;
}

/** Paths the gateway does not aggregate. */
const UNTRACKED = new Set(['/health', '/ready']);
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function noTrace(options: NoTraceOptions): NoTrace {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const http = options.fetch ?? fetch;
  const owners = new Map<string, string>();
  let ledger = new TrafficLedger(now());

  const counted: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const token = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1];
    const user = token ? owners.get(token) : undefined;
    if (user !== undefined && !UNTRACKED.has(url.pathname)) ledger.count(user);
    return http(input, init);
  };

  const check: Check = {
    name: 'test traffic removed',
    async run() {
      const { client, tables } = options;
      const lastAt = now();
      const buckets = bucketsBetween(ledger.startedAt, lastAt);
      const deadline = lastAt + flushBudgetMs(options.flushSeconds);
      const unflushed: string[] = [];
      let quiet = 0;
      for (const [user, sent] of ledger.sent) {
        // The gateway writes a quiet entity's counts only once its bucket is over: a test user with
        // so few requests is far below anything the detector acts on, and there is nothing to wait for.
        if (sent < HOT_WINDOW_REQUESTS) {
          quiet += sent;
          continue;
        }
        for (;;) {
          const seen = await countedRequests(client, tables, user, buckets);
          if (seen >= sent) break;
          if (now() >= deadline) {
            unflushed.push(`${user} (${seen} of ${sent})`);
            break;
          }
          await sleep(500);
        }
      }
      await removeTraces(client, tables, [...new Set(owners.values())].map(userEntity), buckets);
      // The detector reads a bucket once it is complete: the first one the traffic can be in must
      // still be in progress now, by any clock within the skew allowed.
      const firstEnds = bucketStart(ledger.startedAt - CLOCK_SKEW_MS) + BUCKET_MS;
      const inTime = now() + CLOCK_SKEW_MS < firstEnds;
      const removed = [...ledger.sent.values()].reduce((a, b) => a + b, 0) - quiet;
      const budget = flushBudgetMs(options.flushSeconds) / 1000;
      if (unflushed.length > 0)
        return fail(
          `the gateway had not flushed ${unflushed.join(', ')} within ${budget}s; what it writes later stays`,
        );
      if (!inTime)
        return fail(
          `${removed} requests removed, but after their bucket ended: the detector may have read them`,
        );
      return pass(
        `${removed} requests removed before the detector could read them` +
          (quiet > 0
            ? `; ${quiet} of a quiet test user are written at the bucket's end, too few to judge`
            : ''),
      );
    },
  };

  return {
    mint: async (subject) => {
      const token = await options.mint(subject);
      owners.set(token, subject);
      return token;
    },
    fetch: counted,
    waitMs: (runMs) => waitBeforeTrafficMs(now(), runMs, options.flushSeconds),
    start: () => {
      ledger = new TrafficLedger(now());
    },
    check,
  };
}
