// One JSON line per request on stdout (CloudWatch Logs collects it). Field names are part of the
// product's interface: log queries and dashboards use them. Written field by field rather than with
// JSON.stringify of a fresh object (that showed in profiles at load); the output is the same:
// fields in this order, absent ones left out, strings escaped as JSON.stringify escapes them.
//
// Per request this is the gateway's largest piece of its own work, so two more costs are avoided:
// Date#toISOString (about 7,000 machine instructions a call in V8, which formats through printf) is
// called once per second of timestamps, the milliseconds appended by hand; and the fields that
// cannot hold a character JSON escapes (the method, a token checked by the HTTP parser; the client
// address, canonical or as the socket gave it; the decision, one of a fixed set) are quoted as they
// are. The request id, user id and path come from the client and go through JSON.stringify.
import type { Config } from '../../core/config/schema';
import type { RequestState } from '../request-state';

/**
 * SENTINEL_API_ACCESS_LOG. `errors` by default: a line per request is, at about 300 bytes, more
 * CloudWatch Logs ingestion per million requests than the gateway's DynamoDB telemetry costs, and
 * building and writing it about 4% of the gateway's work per request; the request log table keeps
 * every non-2xx request and a sample of the rest either way.
 */
export type AccessLogMode = Config['accessLog'];

/** Whether a request is logged in `errors` mode: answered 400 or more, or refused by the gateway. */
export function isError(state: Readonly<RequestState>): boolean {
  return state.status >= 400 || state.decision !== 'allowed';
}

let second = Number.NaN;
/** The ISO form of `second` without its milliseconds and `Z`: `2026-11-30T20:35:58.` */
let secondPrefix = '';

/** `new Date(ms).toISOString()`, for a valid time. */
export function isoTime(ms: number): string {
  const start = Math.floor(ms / 1000) * 1000;
  if (start !== second) {
    // slice(0, -4) and not a fixed length: years past 9999 have a longer form.
    secondPrefix = new Date(start).toISOString().slice(0, -4);
    second = start;
  }
  const millis = Math.floor(ms) - start;
  return `${secondPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

export function accessLogLine(state: Readonly<RequestState>): string {
  let line = `{"time":"${isoTime(state.time)}","type":"request","requestId":${JSON.stringify(state.requestId)}`;
  if (state.userId !== undefined) line += `,"userId":${JSON.stringify(state.userId)}`;
  line +=
    `,"ip":"${state.clientIp}","method":"${state.method}"` +
    `,"path":${JSON.stringify(state.path)},"status":${num(state.status)}` +
    `,"latencyMs":${num(round(state.latencyMs))}`;
  if (state.upstreamMs !== undefined) line += `,"upstreamMs":${num(round(state.upstreamMs))}`;
  line += `,"bytesIn":${num(state.bytesIn)},"bytesOut":${num(state.bytesOut)},"decision":"${state.decision}"`;
  if (state.remaining !== undefined) line += `,"remaining":${num(state.remaining)}`;
  return `${line}}`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** A number as JSON.stringify writes it (null for NaN and the infinities). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
