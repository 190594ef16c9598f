// Time for the deploy engine: every wait goes through an injected clock so tests run a 20-minute
// deploy in milliseconds, and every interval is a named, overridable number.
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts: callers check the signal. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** [0, 1): the jitter source. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

/** How often the engine asks AWS. Defaults follow what the CloudFormation console and CDK do. */
export interface PollIntervals {
  /** Stack events: every 2 s plus up to `jitterMs`, so many deploys do not poll in lockstep. @default 2000 */
  eventsMs: number;
  /** @default 1000 */
  jitterMs: number;
  /** Stack status (the authority on when an operation ends). @default 5000 */
  statusMs: number;
  /** ECS service deployment and stopped tasks, full mode only. @default 10000 */
  ecsMs: number;
  /** Change set creation. @default 2000 */
  changeSetMs: number;
  /** Throttling backoff doubles from the base interval up to this. @default 30000 */
  maxBackoffMs: number;
  /** Pause before retrying a stack deletion that failed on a dependency still being released. @default 30000 */
  deleteRetryMs: number;
}

export const DEFAULT_INTERVALS: PollIntervals = {
  eventsMs: 2000,
  jitterMs: 1000,
  statusMs: 5000,
  ecsMs: 10_000,
  changeSetMs: 2000,
  maxBackoffMs: 30_000,
  deleteRetryMs: 30_000,
};

/** A clock that never waits: `sleep` advances virtual time. For tests and for the library's callers' tests. */
export function virtualClock(start = Date.UTC(2026, 0, 1, 12)): Clock & { advance(ms: number): void } {
  let time = start;
  return {
    now: () => time,
    random: () => 0.5,
    advance(ms) {
      time += ms;
    },
    async sleep(ms) {
      time += ms;
      // Yield so aborts and other promises get a turn, as a real timer would allow.
      await nextTurn();
    },
  };
}
