// The shared token bucket in Redis: one EVALSHA per request, EVAL when the server lost the script
// (NOSCRIPT after a restart or failover). Throws on Redis errors and on commands that outlive the
// command timeout; the resilient limiter decides what a failure means.
//
// Cost per request matters here, on the path every proxied request takes: the command is encoded
// once per policy but for its key (bucket-command.ts), the commands of one event-loop turn leave in
// one write, and the command timeout is one watchdog timer for all commands in flight instead of a
// timer per command.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BucketCommand, bucketCommandParts, type BucketCommandParts } from './bucket-command';
import type { BucketPolicy, RateLimitDecision } from './decision';
import { TOKEN_BUCKET_SCRIPT } from './lua';
import { bucketTimes, idleTtlMs, outcome, type BucketTimes } from './token-bucket';

export const TOKEN_BUCKET_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

/** Throttle levels whose encoded commands are kept. */
const MAX_CACHED_POLICIES = 256;

/** The script's arguments for a policy, encoded for the wire once. */
function partsFor(policy: BucketPolicy, times: BucketTimes): BucketCommandParts {
  return bucketCommandParts(TOKEN_BUCKET_SHA, [
    String(times.interval),
    String(times.burst),
    String(idleTtlMs(policy)),
  ]);
}

/** The script's answer: µs until the bucket is full again, negative when refused. */
function decision(reply: number, policy: BucketPolicy, times: BucketTimes): RateLimitDecision {
  const success = reply > 0;
  const result = outcome(success, Math.abs(reply), times);
  return {
    success,
    reason: success ? 'allowed' : 'limited',
    limit: policy.capacity,
    remaining: result.remaining,
    resetMs: result.resetMs,
    retryAfterMs: result.retryAfterMs,
    source: 'redis',
  };
}

export interface RedisTokenBucketOptions {
  /** A command unanswered this long fails with a timeout. @default none */
  commandTimeoutMs?: number;
}

interface InFlight {
  deadline: number;
  done: boolean;
  reject(error: Error): void;
}

export class CommandTimeoutError extends Error {
  override name = 'CommandTimeoutError';
}

export class RedisTokenBucket {
  readonly #redis: Redis;
  readonly #policy: BucketPolicy;
  readonly #times: BucketTimes;
  // Arguments are the same for every request of a policy: built once, as the strings ioredis would
  // make of them, and encoded once for the wire (bucket-command.ts).
  readonly #parts: BucketCommandParts;
  readonly #others = new Map<string, { parts: BucketCommandParts; times: BucketTimes }>();
  readonly #timeoutMs: number | undefined;
  /** Commands in flight, oldest first: one connection answers in order, so deadlines are ordered too. */
  #inflight: InFlight[] = [];
  #head = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #corked: { uncork(): void } | undefined;
  readonly #uncork = () => {
    const stream = this.#corked;
    this.#corked = undefined;
    stream?.uncork();
  };

  constructor(redis: Redis, policy: BucketPolicy, options: RedisTokenBucketOptions = {}) {
    this.#redis = redis;
    this.#policy = policy;
    this.#times = bucketTimes(policy);
    this.#parts = partsFor(policy, this.#times);
    this.#timeoutMs = options.commandTimeoutMs;
  }

  /** One token from `key`'s bucket, under `policy` (a throttle) or the bucket's own. */
  take(key: string, policy?: BucketPolicy): Promise<RateLimitDecision> {
    if (policy === undefined || policy === this.#policy) {
      return this.#take(key, this.#parts, this.#policy, this.#times);
    }
    const other = this.#other(policy);
    return this.#take(key, other.parts, policy, other.times);
  }

  /** The encoded command of another policy; few exist at a time (one per throttle level), so kept. */
  #other(policy: BucketPolicy): { parts: BucketCommandParts; times: BucketTimes } {
    const id = `${policy.capacity}/${policy.refillPerSecond}`;
    let entry = this.#others.get(id);
    if (!entry) {
      // Bounded: a detector that sets a distinct level per entity must not grow this without limit.
      if (this.#others.size >= MAX_CACHED_POLICIES) this.#others.clear();
      const times = bucketTimes(policy);
      entry = { parts: partsFor(policy, times), times };
      this.#others.set(id, entry);
    }
    return entry;
  }

  #take(
    key: string,
    parts: BucketCommandParts,
    policy: BucketPolicy,
    times: BucketTimes,
  ): Promise<RateLimitDecision> {
    // The commands of every request handled in this event-loop turn leave in one write (one system
    // call, and usually one read for their replies) instead of one each: the socket is corked on the
    // first and uncorked in the same turn's check phase, so nothing waits for a timer.
    if (this.#corked === undefined) {
      const stream = this.#redis.stream;
      if (stream) {
        stream.cork();
        this.#corked = stream;
        setImmediate(this.#uncork);
      }
    }
    return new Promise<RateLimitDecision>((resolve, reject) => {
      const entry = this.#track(reject);
      const settle = (reply: unknown) => {
        if (entry) {
          if (entry.done) return;
          entry.done = true;
        }
        resolve(decision(reply as number, policy, times));
      };
      const fail = (error: Error) => {
        if (entry) {
          if (entry.done) return;
          entry.done = true;
        }
        reject(error);
      };
      const redis = this.#redis;
      const command = new BucketCommand(parts, key);
      redis.sendCommand(command);
      (command.promise as Promise<unknown>).then(settle, (error: Error) => {
        if (!String(error?.message).startsWith('NOSCRIPT')) return fail(error);
        redis.eval(TOKEN_BUCKET_SCRIPT, 1, key, ...parts.args).then(settle, fail);
      });
    });
  }

  /** Stops the watchdog (the limiter is closing). */
  stop(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  #track(reject: (error: Error) => void): InFlight | undefined {
    if (this.#timeoutMs === undefined) return undefined;
    const entry: InFlight = { deadline: performance.now() + this.#timeoutMs, done: false, reject };
    this.#inflight.push(entry);
    if (!this.#watchdog) {
      // A quarter of the timeout: a hung command fails between 1 and 1.25 timeouts after it was sent.
      // The check runs in the check phase, after the poll phase has read the replies that arrived: a
      // process that was stalled (GC, CPU starvation) must not time out answers waiting unread.
      this.#watchdog = setInterval(() => setImmediate(this.#expire), Math.max(5, this.#timeoutMs / 4));
      this.#watchdog.unref();
    }
    return entry;
  }

  readonly #expire = (): void => {
    const now = performance.now();
    const queue = this.#inflight;
    while (this.#head < queue.length) {
      const entry = queue[this.#head]!;
      if (!entry.done) {
        if (entry.deadline > now) break;
        entry.done = true;
        entry.reject(new CommandTimeoutError(`Redis command timed out after ${this.#timeoutMs} ms`));
      }
      this.#head++;
    }
    // Drop answered entries now and then rather than shifting the array on every reply.
    if (this.#head > 1024 || this.#head === queue.length) {
      this.#inflight = queue.slice(this.#head);
      this.#head = 0;
    }
  };
}
