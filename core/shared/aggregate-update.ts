// The one way an aggregate item is written: an UpdateItem that ADDs a (bucket, entity)'s counts, so
// that every gateway task adds into the same item and the detector sees the sum. The gateway's
// writer and the smoke test's seeded baseline both use it, so seeded items are exactly what traffic
// leaves.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AGGREGATE_ATTRIBUTES, aggregateKey, NUMERIC_AGGREGATE_FIELDS } from './aggregate-record';
import type { AggregateCounts } from './aggregate-record';
import type { Entity } from './entity';
import { TTL_ATTRIBUTE } from './tables';

/** What one write adds: a bucket's counts for one entity. */
export interface AggregateIncrement {
  bucketMs: number;
  entity: Entity;
  counts: Pick<AggregateCounts, (typeof NUMERIC_AGGREGATE_FIELDS)[number]>;
  /** Distinct endpoints seen; added to the item's string set. */
  endpoints: ReadonlySet<string>;
}

export function aggregateUpdate(
  increment: AggregateIncrement,
  tableName: string,
  ttlDays: number,
  nowMs: number,
): UpdateCommand {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  for (const field of NUMERIC_AGGREGATE_FIELDS) {
    const value = increment.counts[field];
    if (value === 0 && field !== 'requests') continue;
    names[`#${field}`] = AGGREGATE_ATTRIBUTES[field];
    values[`:${field}`] = value;
    adds.push(`#${field} :${field}`);
  }
  if (increment.endpoints.size > 0) {
    names['#endpoints'] = AGGREGATE_ATTRIBUTES.endpoints;
    // The document client writes a Set as a DynamoDB string set, which ADD merges.
    values[':endpoints'] = increment.endpoints;
    adds.push('#endpoints :endpoints');
  }
  names['#updated'] = AGGREGATE_ATTRIBUTES.lastUpdatedEpoch;
  names['#ttl'] = TTL_ATTRIBUTE;
  values[':updated'] = Math.floor(nowMs / 1000);
  // Expiry counts from the bucket, not the write, so every task writes the same value.
  values[':ttl'] = Math.floor(increment.bucketMs / 1000) + ttlDays * 86400;
  return new UpdateCommand({
    TableName: tableName,
    Key: aggregateKey(increment.bucketMs, increment.entity),
    UpdateExpression: `ADD ${adds.join(', ')} SET #updated = :updated, #ttl = :ttl`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}
