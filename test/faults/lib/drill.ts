// Shared pieces of the fault drills: a steady fixed-rate load with a per-request timeline (in its own
// process), bursts and polls from the drill itself, and the phase figures of a report.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { runLoad } from '../../../bench/lib/load';
import type { LoadResult, TimelineEntry } from '../../../bench/lib/load-spec';
import type { DrillPhase } from './report';
import { between, countsOf, percentileMs, worstLatencyMs } from './timeline';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * The drills' own requests: connections are not kept past a second of idleness (the gateway's
 * keep-alive hint is 65 s), so that they are gone when a drill counts the gateway's sockets.
 */
const agent = new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 });

export function get(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { headers, dispatcher: agent });
}

export interface SteadyLoad {
  /** Resolves when the load has run its course. */
  done: Promise<LoadResult & { timeline: TimelineEntry[] }>;
  /** Epoch ms when the load was started (it sends from about half a second later). */
  startedAt: number;
}

/** A steady open-loop load of `rate` req/s for `seconds`, cycling through users' headers. */
export function steadyLoad(options: {
  origin: string;
  headers: Array<Record<string, string>>;
  rate: number;
  seconds: number;
  path?: string;
  timeoutMs?: number;
}): SteadyLoad {
  const startedAt = Date.now();
  const done = runLoad({
    mode: 'rate',
    origin: options.origin,
    paths: [options.path ?? '/proxy/items/1'],
    headers: options.headers,
    rate: options.rate,
    durationSec: options.seconds,
    // Enough connections that no request waits for one on the client side, even when answers are slow.
    connections: 256,
    timeoutMs: options.timeoutMs ?? 10_000,
    timeline: true,
  }) as SteadyLoad['done'];
  return { done, startedAt };
}

/** `count` GETs with `concurrency` in flight; resolves with their statuses (0: client error). */
export async function burst(
  url: string,
  headers: Record<string, string>,
  count: number,
  concurrency = 8,
): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        const res = await get(url, headers);
        await res.arrayBuffer();
        statuses.push(res.status);
      } catch {
        statuses.push(0);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** Polls `check` every `stepMs` until true; resolves with the epoch ms it first held, or undefined. */
export async function firstTrue(
  check: () => Promise<boolean>,
  timeoutMs: number,
  stepMs = 100,
): Promise<number | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (await check()) return Date.now();
    } catch {
      // Not yet.
    }
    await sleep(stepMs);
  }
  return undefined;
}

/** The figures of one phase of a timeline: requests sent in [fromMs, toMs). */
export function phase(name: string, timeline: TimelineEntry[], fromMs: number, toMs: number): DrillPhase {
  const entries = between(timeline, fromMs, toMs);
  return {
    phase: name,
    counts: countsOf(entries),
    worstLatencyMs: worstLatencyMs(entries),
    p99Ms: percentileMs(entries, 0.99),
  };
}

/**
 * TCP sockets a process holds whose peer or local port is one of `ports` (Linux /proc): its
 * connections to the upstream and from clients, not its listener nor its Redis or DynamoDB ones.
 */
export function socketsOn(pid: number, ports: number[]): number {
  const byInode = new Map<string, { local: number; remote: number; listening: boolean }>();
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      byInode.set(f[9]!, { local: port(f[1]!), remote: port(f[2]!), listening: f[3] === '0A' });
    }
  }
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link = '';
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    const socket = inode ? byInode.get(inode) : undefined;
    if (socket && !socket.listening && (ports.includes(socket.local) || ports.includes(socket.remote)))
      count++;
  }
  return count;
}
