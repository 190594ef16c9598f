// The gateway's telemetry: per request, an access log line, metrics and aggregates in memory and a
// sampled request log in a buffer, all synchronous and bounded; on an interval, one flush to
// DynamoDB and (every minute) one metrics line. A request never waits for any of it.
//
// Aggregates are not written on every flush but when due (write-schedule.ts): once per (bucket,
// entity) and task when the 15-minute bucket is over, earlier for entities with a burst: writing
// every active entity on every flush would cost several times the write budget (`npm run
// bench:cost` measures it). Everything is written when the aggregator is half full, on shutdown and
// on an explicit flush(); a task killed without SIGTERM loses the unwritten counts of its open
// bucket. Failed writes are retried for RETRY_WINDOW_MS of flushes, then dropped and counted; what
// is still unwritten at shutdown is counted as dropped in the last metrics line.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../lib/clock';
import type { LineSink } from '../lib/line-writer';
import type { Logger } from '../lib/logger';
import { finishTiming } from '../request-context';
import type { RequestState } from '../request-state';
import { accessLogLine, isError, type AccessLogMode } from './access-log';
import { writeAggregates } from './aggregate-writer';
import { TrafficAggregator, type AggregateEntry } from './aggregator';
import { MinuteMetrics } from './metrics';
import { RequestLogBuffer } from './request-log-buffer';

export interface TelemetrySink {
  /** Called once per finished request. Must not throw or block. */
  record(state: RequestState): void;
}

export interface TelemetryStats {
  aggregatesPending: number;
  aggregatesDroppedRequests: number;
  requestLogsBuffered: number;
  requestLogsWritten: number;
  requestLogsDropped: number;
  logLinesDropped: number;
}

export interface TelemetryOptions {
  /** Where access log lines and metrics lines go (stdout in production). */
  lines: LineSink;
  logger: Logger;
  clock: Clock;
  /** Absent: aggregates and request logs are counted in memory only (`sentinel dev` without a store). */
  dynamo?: {
    client: Pick<DynamoDBDocumentClient, 'send'>;
    aggregateTable: string;
    requestLogTable: string;
  };
  flushMs: number;
  metricsMs?: number;
  aggregateTtlDays: number;
  requestLogTtlDays: number;
  requestLogSampleRate: number;
  /** Which requests get an access log line (SENTINEL_API_ACCESS_LOG, see access-log.ts). */
  accessLog: AccessLogMode;
  random?: () => number;
  /** Epoch ms of the blocklist snapshot in use (undefined before the first load), for the metrics line. */
  blocklistLoadedAt?: () => number | undefined;
}

/** How long failed telemetry writes are retried (in flushes of flushMs, at least 3). */
const RETRY_WINDOW_MS = 120_000;
/** Share of the aggregator's capacity past which open buckets are written early. */
const EARLY_WRITE_SHARE = 0.5;
/**
 * Parallel aggregate writes: few on a routine flush, so that requests never wait behind a pile of
 * SDK calls (aggregate-writer.ts); more when everything is written (shutdown, a half-full
 * aggregator), where getting it all out within the deadline matters more than a request's latency.
 */
const ROUTINE_WRITE_CONCURRENCY = 2;
const DRAIN_WRITE_CONCURRENCY = 16;
/**
 * Entries per parallel write on a routine flush. The first flush after a bucket ends writes every
 * entity of that bucket, and the detector reads it a minute after (templates/detector-schedule.ts):
 * at a few milliseconds a write, two writers would take minutes for tens of thousands of entities.
 */
const ROUTINE_ENTRIES_PER_WRITER = 1_000;

/** How many writes a routine flush of `entries` due aggregate entries keeps in flight. */
function routineWriteConcurrency(entries: number): number {
  const wanted = Math.ceil(entries / ROUTINE_ENTRIES_PER_WRITER);
  return Math.min(DRAIN_WRITE_CONCURRENCY, Math.max(ROUTINE_WRITE_CONCURRENCY, wanted));
}

export class Telemetry implements TelemetrySink {
  readonly #options: TelemetryOptions;
  readonly #aggregator = new TrafficAggregator();
  readonly #metrics = new MinuteMetrics();
  readonly #logs: RequestLogBuffer | undefined;
  readonly #maxFailedFlushes: number;
  readonly #logAll: boolean;
  readonly #logErrors: boolean;
  #droppedAggregateRequests = 0;
  /** Requests counted in aggregates a flush has taken and not yet written. */
  #aggregateRequestsInFlight = 0;
  #reportedDrops = 0;
  #flushing: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: TelemetryOptions) {
    this.#options = options;
    this.#logAll = options.accessLog === 'all';
    this.#logErrors = options.accessLog === 'errors';
    this.#maxFailedFlushes = Math.max(3, Math.ceil(RETRY_WINDOW_MS / options.flushMs));
    this.#logs = options.dynamo
      ? new RequestLogBuffer({
          client: options.dynamo.client,
          tableName: options.dynamo.requestLogTable,
          ttlDays: options.requestLogTtlDays,
          sampleRate: options.requestLogSampleRate,
          logger: options.logger,
          random: options.random,
          maxFailedFlushes: this.#maxFailedFlushes,
        })
      : undefined;
  }

  record(state: RequestState): void {
    finishTiming(state);
    if (this.#logAll || (this.#logErrors && isError(state))) this.#options.lines.write(accessLogLine(state));
    this.#metrics.record(state.status, state.latencyMs);
    if (!state.tracked) return;
    this.#aggregator.add(state);
    this.#logs?.offer(state.status, () => ({
      entity:
        state.userId !== undefined ? { kind: 'user', id: state.userId } : { kind: 'ip', id: state.clientIp },
      time: state.time,
      requestId: state.requestId,
      method: state.method,
      endpoint: state.endpoint,
      statusCode: state.status,
      latencyMs: Math.round(state.latencyMs),
      upstreamLatencyMs: state.upstreamMs === undefined ? undefined : Math.round(state.upstreamMs),
      ipAddress: state.clientIp,
      userAgent: state.userAgent,
      decision: state.decision,
      bytesIn: state.bytesIn,
      bytesOut: state.bytesOut,
    }));
  }

  start(): void {
    const flush = setInterval(() => void this.#flush('due'), this.#options.flushMs);
    const metrics = setInterval(() => this.emitMetrics(), this.#options.metricsMs ?? 60_000);
    flush.unref();
    metrics.unref();
    this.#timers.push(flush, metrics);
  }

  /**
   * Writes everything that has accumulated, open buckets included. Concurrent calls wait for the
   * flush in progress, then flush again.
   */
  flush(): Promise<void> {
    return this.#flush('all');
  }

  async #flush(scope: 'all' | 'due'): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.#flushing = this.#flushOnce(scope).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  emitMetrics(): void {
    const drops = this.totalDrops();
    const now = this.#options.clock.now();
    const loadedAt = this.#options.blocklistLoadedAt?.();
    const age = loadedAt === undefined ? undefined : Math.max(0, Math.round((now - loadedAt) / 1000));
    this.#options.lines.write(this.#metrics.emit(now, drops - this.#reportedDrops, age));
    this.#reportedDrops = drops;
  }

  /**
   * Stops the timers, flushes everything (bounded: a task being stopped cannot wait forever for
   * DynamoDB) and emits the last metrics line (SIGTERM).
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.flush(), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      this.#options.logger.warn('final telemetry flush timed out', { ...this.stats() });
    // Whatever is still unwritten is lost with the task: counted now, so the last metrics line says so.
    const leftAggregates = this.#aggregator.drain();
    for (const entry of leftAggregates) this.#droppedAggregateRequests += entry.counts.requests;
    this.#droppedAggregateRequests += this.#aggregateRequestsInFlight;
    this.#aggregateRequestsInFlight = 0;
    this.#logs?.abandon();
    this.emitMetrics();
    this.#options.lines.flush();
  }

  stats(): TelemetryStats {
    return {
      aggregatesPending: this.#aggregator.size,
      aggregatesDroppedRequests: this.#droppedAggregateRequests + this.#aggregator.dropped,
      requestLogsBuffered: this.#logs?.buffered ?? 0,
      requestLogsWritten: this.#logs?.written ?? 0,
      requestLogsDropped: this.#logs?.dropped ?? 0,
      logLinesDropped: this.#options.lines.dropped(),
    };
  }

  totalDrops(): number {
    const s = this.stats();
    return s.aggregatesDroppedRequests + s.requestLogsDropped + s.logLinesDropped;
  }

  /** What the flush writes, and how many writes it runs in parallel. */
  #drain(scope: 'all' | 'due', now: number): { entries: AggregateEntry[]; concurrency: number } {
    const aggregator = this.#aggregator;
    if (scope === 'all' || aggregator.size >= aggregator.capacity * EARLY_WRITE_SHARE)
      return { entries: aggregator.drain(), concurrency: DRAIN_WRITE_CONCURRENCY };
    const entries = aggregator.takeDue(now);
    return { entries, concurrency: routineWriteConcurrency(entries.length) };
  }

  async #flushOnce(scope: 'all' | 'due'): Promise<void> {
    const { dynamo, clock, aggregateTtlDays, logger } = this.#options;
    const now = clock.now();
    if (!dynamo) {
      this.#drain(scope, now);
      return;
    }
    const { entries, concurrency } = this.#drain(scope, now);
    for (const entry of entries) this.#aggregateRequestsInFlight += entry.counts.requests;
    try {
      const result = await writeAggregates(
        entries,
        {
          client: dynamo.client,
          tableName: dynamo.aggregateTable,
          ttlDays: aggregateTtlDays,
          logger,
          concurrency,
          maxFailedFlushes: this.#maxFailedFlushes,
        },
        now,
      );
      this.#aggregateRequestsInFlight = 0;
      this.#aggregator.restore(result.retry);
      this.#droppedAggregateRequests += result.droppedRequests;
      await this.#logs?.flush();
    } catch (error) {
      // The entries the flush took are gone: given up now, so counted now.
      this.#droppedAggregateRequests += this.#aggregateRequestsInFlight;
      this.#aggregateRequestsInFlight = 0;
      logger.error('telemetry flush failed', { error });
    }
  }
}
