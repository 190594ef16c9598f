// The client's address. Behind N trusted proxies (the ALB is 1), each hop appends the address it
// received the request from to X-Forwarded-For, so the client is the N-th entry from the right; what
// is left of it was written by the client and is never trusted.
import { normalizeIp } from '../../core/shared/entity';

/** Socket addresses seen recently and their canonical form: the same few peers send most requests. */
const canonical = new Map<string, string>();
const MAX_REMEMBERED = 1024;

function canonicalSocketAddress(address: string): string {
  let text = canonical.get(address);
  if (text === undefined) {
    text = normalizeIp(address) || address;
    if (canonical.size >= MAX_REMEMBERED) canonical.clear();
    canonical.set(address, text);
  }
  return text;
}

export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustedHops: number,
): string {
  const direct = socketAddress ? canonicalSocketAddress(socketAddress) : 'unknown';
  if (trustedHops === 0 || !forwardedFor) return direct;
  const entries = forwardedFor.split(',');
  // Fewer entries than trusted hops: the request did not come through the expected proxies, so
  // nothing in the header can be trusted.
  if (entries.length < trustedHops) return direct;
  const candidate = normalizeIp(entries[entries.length - trustedHops]!);
  return candidate ?? direct;
}
