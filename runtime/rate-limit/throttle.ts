// A throttled request's bucket: which key it is charged to and under which policy. The effective
// policy is the lower of the normal one and every throttle that applies (capacity and refill each),
// so a throttle can only slow an entity down, never lift it above the normal limit.
//
// An IP throttle needs a bucket of its own: a request from a throttled IP is charged to the bucket
// of the throttled entity (the address, or the range for a throttle on a CIDR range), under the lower
// of the policies (the user's throttle included), instead of its user's. Still one
// Redis command per request; the user's own bucket is not charged for those requests, which cannot
// lift anyone above the normal limit per bucket, and what comes from the throttled IP is capped there.
import type { BlockRecord, ThrottleLimit } from '../../core/shared/block-record';
import type { Entity } from '../../core/shared/entity';
import type { BucketPolicy } from './decision';

export interface ThrottledBucket {
  /** Whose bucket the request is charged to. */
  entity: Entity;
  policy: BucketPolicy;
  /** The reason an operator chose to show the client, if any. */
  publicReason: string | undefined;
}

/** The lower of two policies, field by field; `normal` itself when the throttle is no lower. */
export function lowerPolicy(normal: BucketPolicy, throttle: ThrottleLimit): BucketPolicy {
  if (throttle.capacity >= normal.capacity && throttle.refillPerSecond >= normal.refillPerSecond) {
    return normal;
  }
  return {
    capacity: Math.min(normal.capacity, throttle.capacity),
    refillPerSecond: Math.min(normal.refillPerSecond, throttle.refillPerSecond),
  };
}

/**
 * The bucket of a request whose user or client IP is throttled: the IP throttle's when there is one,
 * else the user's. Undefined when neither is (or a user's throttle is no lower than the normal
 * policy): the request takes the user's normal bucket.
 */
export function throttledBucket(
  normal: BucketPolicy,
  user: Entity,
  userThrottle: BlockRecord | undefined,
  ipThrottle: BlockRecord | undefined,
): ThrottledBucket | undefined {
  const userLimit = userThrottle?.limit;
  const ipLimit = ipThrottle?.limit;
  if (!userLimit && !ipLimit) return undefined;
  let policy = userLimit ? lowerPolicy(normal, userLimit) : normal;
  if (ipLimit) policy = lowerPolicy(policy, ipLimit);
  else if (policy === normal) return undefined;
  return {
    // The throttle's own entity: the address, or the whole range for a throttle on a CIDR range.
    entity: ipLimit ? ipThrottle!.entity : user,
    policy,
    publicReason: userThrottle?.publicReason ?? ipThrottle?.publicReason,
  };
}
