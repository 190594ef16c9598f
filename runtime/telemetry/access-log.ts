// One JSON line per request on stdout (CloudWatch Logs collects it). Field names are part of the
// product's interface: log queries and dashboards use them.
import type { RequestState } from '../request-state';

export function accessLogLine(state: Readonly<RequestState>): string {
  return JSON.stringify({
    time: new Date(state.time).toISOString(),
    type: 'request',
    requestId: state.requestId,
    userId: state.userId,
    ip: state.clientIp,
    method: state.method,
    path: state.endpoint,
    status: state.status,
    latencyMs: round(state.latencyMs),
    upstreamMs: state.upstreamMs === undefined ? undefined : round(state.upstreamMs),
    bytesIn: state.bytesIn,
    bytesOut: state.bytesOut,
    decision: state.decision,
    remaining: state.remaining,
  });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
