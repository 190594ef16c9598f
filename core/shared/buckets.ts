// 15-minute UTC traffic buckets, the unit the gateway aggregates in and the detector reads.
// The partition key format `BUCKET#yyyyMMddHHmm` is the original's and is kept.

export const BUCKET_MINUTES = 15;
export const BUCKET_MS = BUCKET_MINUTES * 60_000;
export const BUCKETS_PER_HOUR = 60 / BUCKET_MINUTES;
export const BUCKETS_PER_DAY = 24 * BUCKETS_PER_HOUR;
const PARTITION_PREFIX = 'BUCKET#';

/** Start (epoch ms) of the bucket containing `ms`. */
export function bucketStart(ms: number): number {
  return Math.floor(ms / BUCKET_MS) * BUCKET_MS;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `yyyyMMddHHmm` of the bucket containing `ms`. */
export function bucketId(ms: number): string {
  const d = new Date(bucketStart(ms));
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

export function parseBucketId(id: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(id);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return ms % BUCKET_MS === 0 ? ms : undefined;
}

/** The aggregate table partition key for the bucket containing `ms`. */
export function bucketPartitionKey(ms: number): string {
  return PARTITION_PREFIX + bucketId(ms);
}

export function parseBucketPartitionKey(key: string): number | undefined {
  return key.startsWith(PARTITION_PREFIX) ? parseBucketId(key.slice(PARTITION_PREFIX.length)) : undefined;
}

/**
 * Start times of the `count` complete buckets that end at or before `endMs`, oldest first.
 * With `endMs` = now, the bucket in progress is excluded.
 */
export function completeBucketsBefore(endMs: number, count: number): number[] {
  const lastStart = bucketStart(endMs) - BUCKET_MS;
  return Array.from({ length: count }, (_, i) => lastStart - (count - 1 - i) * BUCKET_MS);
}
