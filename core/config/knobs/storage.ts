// Where the gateway and detector find their DynamoDB tables and alert topic. The stack wires these;
// the defaults serve `sentinel dev` and tests.
import { knob } from '../knob';
import { stringType, urlType } from '../value-types';

const tableName = stringType({ pattern: /^[A-Za-z0-9_.-]{3,255}$/, patternHint: 'a DynamoDB table name' });

export const storageKnobs = {
  requestLogsTableName: knob(tableName, {
    description: 'DynamoDB table for sampled request logs.',
    default: 'sentinel-request-logs',
    consumers: ['gateway', 'detector'],
    wiredByStack: true,
  }),
  trafficAggregateTableName: knob(tableName, {
    description: 'DynamoDB table for per-entity 15-minute traffic aggregates.',
    default: 'sentinel-traffic-aggregates',
    consumers: ['gateway', 'detector'],
    wiredByStack: true,
  }),
  blocklistTableName: knob(tableName, {
    description: 'DynamoDB table of blocked users and IPs.',
    default: 'sentinel-blocklist',
    consumers: ['cli', 'gateway', 'detector'],
    wiredByStack: true,
  }),
  dynamodbEndpoint: knob(urlType({ protocols: ['http:', 'https:'] }), {
    description: 'DynamoDB endpoint override (local development and tests only).',
    consumers: ['cli', 'gateway', 'detector'],
  }),
  alertTopicArn: knob(stringType({ pattern: /^arn:aws[a-z-]*:sns:/, patternHint: 'an SNS topic ARN' }), {
    description: 'SNS topic the detector publishes alerts to.',
    consumers: ['detector'],
    wiredByStack: true,
  }),
};
