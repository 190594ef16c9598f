// Gateway log lines for a person at a terminal: one short coloured line per request and per log
// event, instead of the JSON that CloudWatch gets. Piped output keeps the JSON lines untouched.
import type { Writable } from 'node:stream';
import type { Colors } from '../cli/ui';

interface LineSinkLike {
  write(line: string): void;
  dropped(): number;
  flush(): void;
}

type Json = Record<string, unknown>;

const DECISION_COLOR: Record<string, keyof Colors> = {
  allowed: 'green',
  limited: 'yellow',
  blocked: 'red',
  unauthenticated: 'magenta',
  bad_request: 'magenta',
  not_found: 'magenta',
  upstream_error: 'red',
  unavailable: 'red',
};

export function formatRequestLine(entry: Json, c: Colors): string {
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const status = Number(entry.status);
  const paint = (c[DECISION_COLOR[String(entry.decision)] ?? 'white'] as (s: string) => string) ?? String;
  const who = entry.userId ? `user=${String(entry.userId)}` : `ip=${String(entry.ip ?? '?')}`;
  const remaining = entry.remaining === undefined ? '' : ` left=${String(entry.remaining)}`;
  return `${c.dim(time)} ${String(entry.method).padEnd(6)} ${String(entry.path)} ${paint(String(status))} ${Number(entry.latencyMs).toFixed(1)}ms ${who} ${paint(String(entry.decision))}${remaining}`;
}

export function formatLogLine(entry: Json, c: Colors): string {
  const { time, level, msg, ...rest } = entry;
  const fields = Object.entries(rest)
    .filter(([k]) => k !== '_aws')
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  const paint = level === 'error' ? c.red : level === 'warn' ? c.yellow : c.dim;
  return `${c.dim(String(time ?? '').slice(11, 19))} ${paint(String(level ?? 'info').padEnd(5))} ${String(msg ?? '')}${fields ? ` ${c.dim(fields)}` : ''}`;
}

/** A LineSink that renders the gateway's JSON lines for a terminal; metrics lines are left out. */
export function createTerminalLineSink(stream: Writable, colors: Colors): LineSinkLike {
  return {
    write(line) {
      let entry: Json;
      try {
        entry = JSON.parse(line) as Json;
      } catch {
        stream.write(`${line}\n`);
        return;
      }
      if (entry.type === 'metrics') return;
      stream.write(
        `${entry.type === 'request' ? formatRequestLine(entry, colors) : formatLogLine(entry, colors)}\n`,
      );
    },
    dropped: () => 0,
    flush() {},
  };
}

/** The gateway's EMF metrics lines (runtime/telemetry/metrics.ts): the `_aws` envelope comes first. */
const isMetricsLine = (line: string) => line.startsWith('{"_aws":') && line.includes('"type":"metrics"');

/**
 * In `sentinel dev`, metrics lines are CloudWatch's business: they pass only at debug log level,
 * so `npm start | tee` shows requests and events rather than a JSON blob a minute.
 */
export function withoutMetrics<S extends LineSinkLike>(sink: S, keep: boolean): LineSinkLike {
  if (keep) return sink;
  return {
    write: (line) => (isMetricsLine(line) ? undefined : sink.write(line)),
    dropped: () => sink.dropped(),
    flush: () => sink.flush(),
  };
}

/** The detector's summary line, printed only when it differs from the previous run's. */
export function detectorLine(): (summary: {
  anomalyCount: number;
  blockedCount: number;
}) => string | undefined {
  let last = '';
  return (summary) => {
    const line =
      summary.anomalyCount > 0
        ? `detector: ${summary.anomalyCount} anomalies, ${summary.blockedCount} blocked`
        : '';
    if (line === last) return undefined;
    last = line;
    return line || undefined;
  };
}
