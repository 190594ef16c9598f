// Watches a request body on its way in. A client that stops sending (no byte for the idle time) or
// whose request outlasts the deadline is reported once, so the relay can answer 408 (or 504 once the
// body is in) and abort the upstream request it holds a connection for. Progress is read from the
// socket's byte count: no listener is added to the body, which undici reads.
//
// Bytes buffered but not yet taken by undici (the upstream reads slowly) count as progress: that
// wait is not the client's doing.
import type { IncomingMessage } from 'node:http';

export interface UploadLimits {
  /** Longest time without a byte of body. */
  idleMs: number;
  /** Longest time from arrival until the upstream's answer begins. */
  deadlineMs: number;
}

/** The longest pause between two checks: detection happens within idleMs plus this. */
const MAX_PERIOD_MS = 1_000;

/** Starts the watch; `onExpired` is called at most once. Stop it with clearInterval(). */
export function watchUpload(
  incoming: IncomingMessage,
  startedAt: number,
  limits: UploadLimits,
  onExpired: (bodyComplete: boolean) => void,
): NodeJS.Timeout {
  const socket = incoming.socket;
  let lastBytes = socket.bytesRead;
  let lastProgress = performance.now();
  const period = Math.max(20, Math.min(MAX_PERIOD_MS, limits.idleMs / 4));
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - startedAt >= limits.deadlineMs) {
      clearInterval(timer);
      return onExpired(incoming.complete);
    }
    if (incoming.complete) return;
    const bytes = socket.bytesRead;
    if (bytes !== lastBytes || incoming.readableLength > 0) {
      lastBytes = bytes;
      lastProgress = now;
    } else if (now - lastProgress >= limits.idleMs) {
      clearInterval(timer);
      onExpired(false);
    }
  }, period);
  return timer;
}
