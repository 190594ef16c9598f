// Whether the gateway refuses what the blocklist says it should: a block is 403 on every request; a
// throttle is 429 `throttled` once its bucket is empty (a 429 `rate_limited` from the normal limit,
// before the gateway has the throttle, is not it). Gateway tasks pick up the blocklist on their own
// schedule, so the answer is awaited within two refresh intervals and some slack.
import type { BlockAction } from '../../core/shared/block-record';
import { poll } from './poll';

export interface EnforcementOptions {
  action: BlockAction;
  /** Sends one request that the block or throttle applies to. */
  send: () => Promise<Response>;
  refreshSeconds: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export type Enforcement =
  { ok: true; detail: string; afterMs: number } | { ok: false; detail: string; afterMs?: undefined };

export async function awaitEnforcement(options: EnforcementOptions): Promise<Enforcement> {
  const { now } = options;
  const throttled = options.action === 'throttle';
  const expected = throttled ? '429 throttled' : '403';
  const since = now();
  const deadline = since + (options.refreshSeconds * 2 + 5) * 1000;
  const seen = await poll(deadline, throttled ? 50 : 250, now, options.sleep, async () => {
    const res = await options.send();
    const body = (await res.json().catch(() => ({}))) as { error?: unknown };
    if (throttled) return res.status === 429 && body.error === 'throttled' ? true : undefined;
    return res.status === 403 ? true : undefined;
  });
  if (seen === undefined)
    return {
      ok: false,
      detail: `still not ${expected} after ${Math.round((now() - since) / 1000)}s (blocklist refresh every ${options.refreshSeconds}s)`,
    };
  const afterMs = now() - since;
  return { ok: true, detail: `${expected} after ${(afterMs / 1000).toFixed(1)}s`, afterMs };
}
