// One JSON line per request on stdout (CloudWatch Logs collects it). Field names are part of the
// product's interface: log queries and dashboards use them. Written field by field rather than with
// JSON.stringify of a fresh object (that showed in profiles at load); the output is the same:
// fields in this order, absent ones left out, strings escaped by JSON.stringify.
import type { RequestState } from '../request-state';

let lastTime = Number.NaN;
let lastIso = '';

export function accessLogLine(state: Readonly<RequestState>): string {
  if (state.time !== lastTime) {
    lastTime = state.time;
    lastIso = new Date(state.time).toISOString();
  }
  let line = `{"time":"${lastIso}","type":"request","requestId":${JSON.stringify(state.requestId)}`;
  if (state.userId !== undefined) line += `,"userId":${JSON.stringify(state.userId)}`;
  line +=
    `,"ip":${JSON.stringify(state.clientIp)},"method":${JSON.stringify(state.method)}` +
    `,"path":${JSON.stringify(state.endpoint)},"status":${num(state.status)}` +
    `,"latencyMs":${num(round(state.latencyMs))}`;
  if (state.upstreamMs !== undefined) line += `,"upstreamMs":${num(round(state.upstreamMs))}`;
  line +=
    `,"bytesIn":${num(state.bytesIn)},"bytesOut":${num(state.bytesOut)}` +
    `,"decision":${JSON.stringify(state.decision)}`;
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
