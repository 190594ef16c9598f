// One way to build a DynamoDB DocumentClient, for the gateway, the detector, the CLI and tests.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClientOptions {
  region?: string;
  /** Local endpoint (dynalite in dev and tests); credentials are then placeholders it ignores. */
  endpoint?: string;
  /** Named AWS profile (CLI use); unset: the SDK's default chain. */
  profile?: string;
  /** SDK retry attempts. @default 3 */
  maxAttempts?: number;
}

export function createDocumentClient(options: DynamoClientOptions = {}): DynamoDBDocumentClient {
  const local = options.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: options.region ?? (local ? 'us-east-1' : undefined),
    endpoint: options.endpoint,
    profile: options.profile,
    maxAttempts: options.maxAttempts ?? 3,
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
