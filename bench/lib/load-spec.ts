// What a load run is asked to do and what it reports, shared by the load worker (the child process
// that generates the load) and the runner that starts it.

export interface LoadTarget {
  /** Origin, e.g. http://127.0.0.1:8000. */
  origin: string;
  /** Request paths, used in turn. */
  paths: string[];
  /** Header sets (one per simulated user), used in turn; `[{}]` for none. */
  headers: Array<Record<string, string>>;
  /**
   * The order of requests as [path index, header index] pairs, repeated as needed (a traffic mix);
   * without it request i uses path i and header set i, each modulo its list.
   */
  sequence?: Array<[number, number]>;
}

/** Path and headers of request `i`. */
export function requestAt(target: LoadTarget, i: number): { path: string; headers: Record<string, string> } {
  if (target.sequence?.length) {
    const [p, h] = target.sequence[i % target.sequence.length]!;
    return { path: target.paths[p]!, headers: target.headers[h]! };
  }
  return {
    path: target.paths[i % target.paths.length]!,
    headers: target.headers[i % target.headers.length]!,
  };
}

export type LoadSpec = LoadTarget &
  (
    | {
        /** Closed loop: `connections` keep-alive connections, each sending its next request on answer. */
        mode: 'saturate';
        connections: number;
        durationSec: number;
      }
    | {
        /** Open loop at a fixed rate, whatever the answers do; latency counted from the send. */
        mode: 'rate';
        rate: number;
        durationSec: number;
        /** Pool size; large enough that a request never waits for a free connection. */
        connections: number;
        /**
         * Seconds sent at the rate before `durationSec`, counted nowhere: the generator's own code is
         * cold in a new process and its connections are opened then. @default 0
         */
        warmupSec?: number;
        /** Per-request bound: headers, and then each gap in the body (client error when passed). @default 15000 */
        timeoutMs?: number;
        /** Report every request (send time, latency, status), for fault drills. */
        timeline?: boolean;
      }
    | {
        /** Exactly `amount` requests over `connections` parallel loops. */
        mode: 'count';
        amount: number;
        connections: number;
      }
  );

export interface StatusCounts {
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** One request of a timeline: epoch ms at send, latency in ms, status (0: client error). */
export type TimelineEntry = [sentAt: number, latencyMs: number, status: number];

export interface LoadResult {
  tool: 'autocannon' | 'wrk' | 'undici';
  /** Requests sent (answered or not). */
  sent: number;
  /** Requests answered with a status. */
  completed: number;
  statuses: StatusCounts;
  /** Count per status code. */
  codes: Record<string, number>;
  /** Connection errors, resets and timeouts on the client side. */
  clientErrors: number;
  durationMs: number;
  /** Answered requests per second. */
  rps: number;
  /** Latency of every answered request, ms. */
  latency: LatencySummary;
  timeline?: TimelineEntry[];
}
