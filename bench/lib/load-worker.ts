// The load generator, run as its own process (never on the event loop of what it measures): reads a
// LoadSpec as JSON on stdin (`node --import tsx bench/lib/load-worker.ts`), prints one LoadResult line.
// Saturation runs use autocannon (or wrk when installed, see wrk.ts); fixed-rate and fixed-count runs
// use an undici pool, open loop, timing each request from its send to the end of its body.
import { createRequire } from 'node:module';
import { Pool } from 'undici';
import {
  requestAt,
  type LoadResult,
  type LoadSpec,
  type StatusCounts,
  type TimelineEntry,
} from './load-spec';
import { LatencyRecorder } from './stats';

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
}
type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: { duration: number }) => void,
) => AutocannonInstance;

class Tally {
  readonly latency = new LatencyRecorder();
  readonly statuses: StatusCounts = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  readonly codes: Record<string, number> = {};
  sent = 0;
  completed = 0;
  clientErrors = 0;
  timeline: TimelineEntry[] | undefined;

  answer(status: number, ms: number): void {
    this.completed++;
    this.latency.record(ms);
    const cls = `${Math.floor(status / 100)}xx` as keyof StatusCounts;
    if (cls in this.statuses) this.statuses[cls]++;
    this.codes[status] = (this.codes[status] ?? 0) + 1;
  }

  result(tool: LoadResult['tool'], durationMs: number): LoadResult {
    const l = this.latency;
    return {
      tool,
      sent: this.sent,
      completed: this.completed,
      statuses: this.statuses,
      codes: this.codes,
      clientErrors: this.clientErrors,
      durationMs,
      rps: (this.completed * 1000) / durationMs,
      latency: { p50: l.percentile(0.5), p99: l.percentile(0.99), p999: l.percentile(0.999), max: l.max() },
      ...(this.timeline ? { timeline: this.timeline } : {}),
    };
  }
}

function saturate(spec: Extract<LoadSpec, { mode: 'saturate' }>): Promise<LoadResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const tally = new Tally();
  // autocannon cycles through the request objects on every connection.
  const count = spec.sequence?.length ?? Math.max(spec.headers.length, spec.paths.length);
  const requests = Array.from({ length: count }, (_, i) => ({ method: 'GET', ...requestAt(spec, i) }));
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: spec.origin, connections: spec.connections, duration: spec.durationSec, requests },
      (error, result) => {
        if (error) return reject(error);
        tally.sent = tally.completed + tally.clientErrors;
        resolve(tally.result('autocannon', result.duration * 1000));
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => tally.answer(status, ms));
    instance.on('reqError', () => tally.clientErrors++);
  });
}

// The bound is undici's headers and body timeouts, not an AbortSignal.timeout per request: at 1,000
// req/s those signals and their timers live for the whole bound (15,000 of them), survive every
// young-generation collection, and made this process's own pauses (3 to 11 ms) part of the tail it
// measures.
async function fire(pool: Pool, spec: LoadSpec, i: number, tally: Tally, timeoutMs: number): Promise<void> {
  const started = performance.now();
  const sentAt = performance.timeOrigin + started;
  tally.sent++;
  let status = 0;
  try {
    const { path, headers } = requestAt(spec, i);
    const response = await pool.request({
      path,
      method: 'GET',
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
    status = response.statusCode;
    tally.answer(status, performance.now() - started);
  } catch {
    tally.clientErrors++;
  }
  tally.timeline?.push([sentAt, performance.now() - started, status]);
}

async function atRate(spec: Extract<LoadSpec, { mode: 'rate' }>): Promise<LoadResult> {
  const pool = new Pool(spec.origin, {
    connections: spec.connections,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const tally = new Tally();
  if (spec.timeline) tally.timeline = [];
  // The warm-up's answers go to a tally nobody reads.
  const unread = new Tally();
  const warmup = Math.round(spec.rate * (spec.warmupSec ?? 0));
  const total = warmup + Math.round(spec.rate * spec.durationSec);
  const timeoutMs = spec.timeoutMs ?? 15_000;
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  const measuredFrom = start + (warmup * 1000) / spec.rate;
  let issued = 0;
  await new Promise<void>((resolve) => {
    // A 1 ms tick sends every request whose scheduled time has come: an even rate, open loop.
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * spec.rate) / 1000));
      while (issued < due) {
        const i = issued++;
        const p = fire(pool, spec, i, i < warmup ? unread : tally, timeoutMs);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      if (issued >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inflight);
  const durationMs = performance.now() - measuredFrom;
  await pool.destroy();
  return tally.result('undici', durationMs);
}

async function count(spec: Extract<LoadSpec, { mode: 'count' }>): Promise<LoadResult> {
  const pool = new Pool(spec.origin, { connections: spec.connections, pipelining: 1 });
  const tally = new Tally();
  const start = performance.now();
  let next = 0;
  const loop = async () => {
    while (next < spec.amount) await fire(pool, spec, next++, tally, 15_000);
  };
  await Promise.all(Array.from({ length: spec.connections }, loop));
  const durationMs = performance.now() - start;
  await pool.destroy();
  return tally.result('undici', durationMs);
}

export async function runLoadSpec(spec: LoadSpec): Promise<LoadResult> {
  if (spec.mode === 'saturate') {
    const { saturateWithWrk, wrkAvailable } = await import('./wrk');
    return wrkAvailable() ? saturateWithWrk(spec) : saturate(spec);
  }
  return spec.mode === 'rate' ? atRate(spec) : count(spec);
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

if (process.argv[2] === '--stdin') {
  readStdin()
    .then((text) => runLoadSpec(JSON.parse(text) as LoadSpec))
    .then(
      (result) => {
        process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
      },
      (error: unknown) => {
        process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
        process.exit(1);
      },
    );
}
