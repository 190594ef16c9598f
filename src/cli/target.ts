// What `sentinel blocklist` and `sentinel smoke` act on: a deployed stack (`--stack-name`, read from
// its outputs) or the running `sentinel dev` stack (found through its state file).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAwsClients, type AwsClientFactory } from '../deploy/aws-clients';
import { systemClock } from '../deploy/clock';
import { describeStack, gatewayUrlOf, stackOutputs } from '../deploy/preflight';
import { readDevState, type DevState } from '../dev/state-file';
import { createDocumentClient } from '../../core/shared/dynamodb';
import { ErrorCode, SentinelError, UsageError } from '../../core/shared/errors';
import type { TableNames } from '../../core/shared/table-setup';
import { TABLES, TABLE_IDS } from '../../core/shared/tables';

export type Target =
  | {
      kind: 'stack';
      stackName: string;
      region: string;
      profile?: string;
      outputs: Record<string, string>;
      tables: TableNames;
      gatewayUrl?: string;
    }
  | { kind: 'dev'; state: DevState; tables: TableNames; gatewayUrl: string };

export interface TargetFlags {
  stackName?: string;
  region?: string;
  profile?: string;
}

export interface TargetDeps {
  awsClients?: AwsClientFactory;
  /** DynamoDB endpoint override (dynalite in tests; SENTINEL_API_DYNAMODB_ENDPOINT). */
  dynamodbEndpoint?: string;
}

export function describeTarget(target: Target): string {
  return target.kind === 'dev'
    ? `the dev stack at ${target.gatewayUrl}`
    : `stack ${target.stackName} (${target.region})`;
}

export async function resolveTarget(flags: TargetFlags, cwd: string, deps: TargetDeps = {}): Promise<Target> {
  if (flags.stackName) {
    const clients = (deps.awsClients ?? createAwsClients)({ region: flags.region, profile: flags.profile });
    const region = await clients.region();
    const stack = await describeStack(clients.cloudFormation, flags.stackName, systemClock);
    if (!stack) {
      throw new SentinelError(
        ErrorCode.StackNotFound,
        `Stack ${flags.stackName} does not exist in ${region}`,
        {
          hint: 'Check --stack-name and --region; `sentinel status` lists what is deployed',
        },
      );
    }
    const outputs = stackOutputs(stack);
    const tables = {} as TableNames;
    for (const id of TABLE_IDS) {
      const name = outputs[TABLES[id].outputName];
      if (!name) {
        throw new SentinelError(
          ErrorCode.StackOutputMissing,
          `Stack ${flags.stackName} has no ${TABLES[id].outputName} output`,
          {
            hint: 'Is this a SentinelAPI stack? Deploy it with `sentinel deploy`',
          },
        );
      }
      tables[id] = name;
    }
    return {
      kind: 'stack',
      stackName: flags.stackName,
      region,
      profile: flags.profile,
      outputs,
      tables,
      gatewayUrl: gatewayUrlOf(outputs),
    };
  }
  const state = readDevState(cwd);
  if (state) return { kind: 'dev', state, tables: state.tables, gatewayUrl: state.gatewayUrl };
  throw new UsageError('Nothing to act on: no --stack-name and no running `sentinel dev` in this folder', {
    code: ErrorCode.TargetMissing,
    hint: 'Pass --stack-name NAME (and --region) for a deployed stack, or start `npx sentinel-api dev` here first',
  });
}

export function targetDocumentClient(target: Target, deps: TargetDeps = {}): DynamoDBDocumentClient {
  if (target.kind === 'dev') return createDocumentClient({ endpoint: target.state.dynamodbEndpoint });
  return createDocumentClient({
    region: target.region,
    profile: target.profile,
    endpoint: deps.dynamodbEndpoint,
  });
}
