// The request log item: a sampled record of one request (every non-2xx, a share of the rest). The
// gateway writes it; `sentinel logs` and the detector's reports read it. Attribute names live here only.
import type { Entity } from './entity';
import { entityKey, parseEntityKey } from './entity';
import { TTL_ATTRIBUTE } from './tables';

/** What the gateway decided about a request; also the `decision` field of the access log line. */
export const REQUEST_DECISIONS = [
  'allowed',
  'limited',
  'blocked',
  'unauthenticated',
  'bad_request',
  'not_found',
  'upstream_error',
  'unavailable',
] as const;
export type RequestDecision = (typeof REQUEST_DECISIONS)[number];

export interface RequestLogRecord {
  entity: Entity;
  /** Epoch ms. */
  time: number;
  requestId: string;
  method: string;
  /** Path after /proxy, without the query string. */
  endpoint: string;
  statusCode: number;
  latencyMs: number;
  upstreamLatencyMs?: number;
  ipAddress: string;
  userAgent?: string;
  decision: RequestDecision;
  bytesIn: number;
  bytesOut: number;
}

/** Longest user agent stored; the rest is cut so that one client cannot inflate item sizes. */
export const MAX_USER_AGENT_LENGTH = 256;

/**
 * Key: pk `USER#<id>` / `IP#<addr>` (the original's pk), sk `<ISO time>#<requestId>`. The original's
 * sk was the ISO time alone, so two requests of one user in the same millisecond overwrote each other;
 * the request id suffix keeps them apart and still sorts by time.
 */
export function requestLogKey(entity: Entity, time: number, requestId: string): { pk: string; sk: string } {
  return { pk: entityKey(entity), sk: `${new Date(time).toISOString()}#${requestId}` };
}

export function toRequestLogItem(record: RequestLogRecord, ttlDays: number): Record<string, unknown> {
  return {
    ...requestLogKey(record.entity, record.time, record.requestId),
    requestId: record.requestId,
    method: record.method,
    endpoint: record.endpoint,
    statusCode: record.statusCode,
    latencyMs: record.latencyMs,
    ...(record.upstreamLatencyMs === undefined ? {} : { upstreamLatencyMs: record.upstreamLatencyMs }),
    ipAddress: record.ipAddress,
    ...(record.userAgent ? { userAgent: record.userAgent.slice(0, MAX_USER_AGENT_LENGTH) } : {}),
    decision: record.decision,
    bytesIn: record.bytesIn,
    bytesOut: record.bytesOut,
    [TTL_ATTRIBUTE]: Math.floor(record.time / 1000) + ttlDays * 86400,
  };
}

/** Parses an item from the table; undefined for items that are not request logs. */
export function fromRequestLogItem(item: Record<string, unknown>): RequestLogRecord | undefined {
  const entity = typeof item.pk === 'string' ? parseEntityKey(item.pk) : undefined;
  const sk = typeof item.sk === 'string' ? item.sk : '';
  const time = Date.parse(sk.slice(0, sk.indexOf('#') === -1 ? undefined : sk.indexOf('#')));
  if (!entity || !Number.isFinite(time)) return undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const decision = (REQUEST_DECISIONS as readonly string[]).includes(str(item.decision))
    ? (item.decision as RequestDecision)
    : 'allowed';
  return {
    entity,
    time,
    requestId: str(item.requestId),
    method: str(item.method),
    endpoint: str(item.endpoint),
    statusCode: num(item.statusCode),
    latencyMs: num(item.latencyMs),
    upstreamLatencyMs: typeof item.upstreamLatencyMs === 'number' ? item.upstreamLatencyMs : undefined,
    ipAddress: str(item.ipAddress),
    userAgent: typeof item.userAgent === 'string' ? item.userAgent : undefined,
    decision,
    bytesIn: num(item.bytesIn),
    bytesOut: num(item.bytesOut),
  };
}
