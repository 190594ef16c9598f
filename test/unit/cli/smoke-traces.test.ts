// When a smoke run starts so that its traffic, the flush and the removal fit in one bucket.
import { describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../../../core/shared/buckets';
import { bucketsBetween, CLOCK_SKEW_MS, waitBeforeTrafficMs } from '../../../src/smoke/traces';

const bucket = Date.UTC(2030, 0, 1, 10, 0);

describe('waitBeforeTrafficMs', () => {
  it('starts at once with time left in the bucket, else once the next has begun by every clock', () => {
    // 60 s of traffic and 40 s of flush, with 5 s of skew: 105 s before the bucket ends.
    expect(waitBeforeTrafficMs(bucket + 60_000, 60_000, 10)).toBe(0);
    expect(waitBeforeTrafficMs(bucket + BUCKET_MS - 105_000, 60_000, 10)).toBe(0);
    expect(waitBeforeTrafficMs(bucket + BUCKET_MS - 100_000, 60_000, 10)).toBe(100_000 + CLOCK_SKEW_MS);
    // Just after a boundary, a gateway clock behind ours still puts requests in the bucket before.
    expect(waitBeforeTrafficMs(bucket + 2_000, 60_000, 10)).toBe(CLOCK_SKEW_MS - 2_000);
    // A run that cannot fit in any bucket does not wait.
    expect(waitBeforeTrafficMs(bucket + BUCKET_MS - 1_000, BUCKET_MS, 10)).toBe(0);
  });

  it('lists the buckets a run can be in, widened by the skew', () => {
    expect(bucketsBetween(bucket + 60_000, bucket + 120_000)).toEqual([bucket]);
    expect(bucketsBetween(bucket + 2_000, bucket + 60_000)).toEqual([bucket - BUCKET_MS, bucket]);
    expect(bucketsBetween(bucket + 60_000, bucket + BUCKET_MS - 1_000)).toEqual([bucket, bucket + BUCKET_MS]);
  });
});
