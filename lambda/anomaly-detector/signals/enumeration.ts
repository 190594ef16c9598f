// Enumeration: many distinct endpoints answered mostly with 4xx (404 probing, IDs walked one by
// one). A client that misuses one endpoint has many errors but few endpoints; a busy user has many
// endpoints but few errors — both are needed.
import type { SignalHit } from '../decision';
import { fmt, type SignalContext } from './context';

export function enumeration(ctx: SignalContext, e: number): SignalHit | undefined {
  const s = ctx.settings;
  const w = ctx.windows;
  const endpoints = w.maxEndpoints[e]!;
  const errors = w.other4xxHour[e]!;
  if (endpoints < s.anomalyEnumerationMinEndpoints || errors < s.anomalyEnumerationMinEndpoints)
    return undefined;
  const share = errors / Math.max(1, w.requestsHour[e]!);
  if (share < s.anomalyEnumerationErrorShare) return undefined;
  return {
    signal: 'enumeration',
    window: '1h',
    current: errors,
    baseline: w.requestsHour[e]!,
    ratio: share,
    score: endpoints,
    reason: `${fmt(errors)} of ${fmt(w.requestsHour[e]!)} requests in the last 1h answered 4xx (${Math.round(share * 100)}%) across up to ${fmt(endpoints)} distinct endpoints per 15 minutes`,
  };
}
