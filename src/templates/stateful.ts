// Resource types whose replacement or deletion loses data: deploy refuses such a change unless
// --allow-replace, naming the resource and what would be lost.
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ServerlessCache',
];

/** What a replacement of each stateful type throws away, for deploy's refusal message. */
export const STATEFUL_LOSS: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table':
    'every item in the table (request logs or traffic aggregates; the blocklist table is retained, and the new one starts empty)',
  'AWS::DynamoDB::GlobalTable': 'every item in the table',
  'AWS::ElastiCache::ReplicationGroup': 'the rate-limit buckets (refilled within seconds) and minutes of Redis downtime',
  'AWS::ElastiCache::CacheCluster': 'the cached data and minutes of Redis downtime',
  'AWS::ElastiCache::ServerlessCache': 'the cached data and minutes of Redis downtime',
};

export function isStatefulType(type: string): boolean {
  return STATEFUL_RESOURCE_TYPES.includes(type);
}
