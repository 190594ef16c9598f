// When an aggregate entry is written, pure. One UpdateItem per active entity on every flush cost
// about 8 times the write budget of a realistic mix (`npm run bench:cost`), and the detector reads
// only finished buckets; so an entry is written once its bucket is over. A burst still shows within
// a flush or two (what `sentinel smoke anomaly` waits for): an entity with a busy window becomes
// "hot" and is written when its unwritten count reaches three times what was already written (the
// total quadruples between writes, so a steady heavy user costs a handful of writes per bucket, not
// one per flush), and as soon as it falls quiet.

/** Requests in one flush window that make an entity hot for the rest of its bucket. */
export const HOT_WINDOW_REQUESTS = 16;
/** A hot entity is written once its unwritten count reaches this many times its written count. */
const GROWTH = 3;

export interface ScheduleState {
  bucketMs: number;
  /** Requests not yet written. */
  pending: number;
  /** Requests since the previous flush. */
  window: number;
  /** Requests of this bucket already written by this task. */
  written: number;
  hot: boolean;
}

/** Whether `entry` is written by the flush at a moment in the bucket starting at `currentBucketMs`. */
export function isDue(entry: ScheduleState, currentBucketMs: number): boolean {
  if (entry.pending === 0) return false;
  if (entry.bucketMs < currentBucketMs) return true;
  if (!entry.hot) return false;
  return entry.window === 0 || entry.pending >= Math.max(HOT_WINDOW_REQUESTS, GROWTH * entry.written);
}
