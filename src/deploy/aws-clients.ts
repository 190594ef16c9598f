// The narrow face of AWS the deploy engine uses: only the operations it calls, each taking and
// returning the SDK's own shapes. Tests script the SDK clients with aws-sdk-client-mock; nothing
// else in src/deploy constructs a client, so a dry run that never calls the factory makes no AWS call.
import * as cfn from '@aws-sdk/client-cloudformation';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ecr from '@aws-sdk/client-ecr';
import * as ecs from '@aws-sdk/client-ecs';
import * as elb from '@aws-sdk/client-elastic-load-balancing-v2';
import * as lambda from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
import * as sts from '@aws-sdk/client-sts';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { nameAwsCalls, REGION_HINT } from './aws-error';
import { type Clock, systemClock } from './clock';
import { RETRY_BUDGET, withRetry } from './throttle';

type Op<I, O> = (input: I) => Promise<O>;

export interface CloudFormationApi {
  describeStacks: Op<cfn.DescribeStacksCommandInput, cfn.DescribeStacksCommandOutput>;
  describeStackEvents: Op<cfn.DescribeStackEventsCommandInput, cfn.DescribeStackEventsCommandOutput>;
  listStackResources: Op<cfn.ListStackResourcesCommandInput, cfn.ListStackResourcesCommandOutput>;
  getTemplate: Op<cfn.GetTemplateCommandInput, cfn.GetTemplateCommandOutput>;
  createChangeSet: Op<cfn.CreateChangeSetCommandInput, cfn.CreateChangeSetCommandOutput>;
  describeChangeSet: Op<cfn.DescribeChangeSetCommandInput, cfn.DescribeChangeSetCommandOutput>;
  executeChangeSet: Op<cfn.ExecuteChangeSetCommandInput, cfn.ExecuteChangeSetCommandOutput>;
  deleteChangeSet: Op<cfn.DeleteChangeSetCommandInput, cfn.DeleteChangeSetCommandOutput>;
  deleteStack: Op<cfn.DeleteStackCommandInput, cfn.DeleteStackCommandOutput>;
  cancelUpdateStack: Op<cfn.CancelUpdateStackCommandInput, cfn.CancelUpdateStackCommandOutput>;
  continueUpdateRollback: Op<cfn.ContinueUpdateRollbackCommandInput, cfn.ContinueUpdateRollbackCommandOutput>;
  updateTerminationProtection: Op<
    cfn.UpdateTerminationProtectionCommandInput,
    cfn.UpdateTerminationProtectionCommandOutput
  >;
}

export interface S3Api {
  headBucket: Op<s3.HeadBucketCommandInput, s3.HeadBucketCommandOutput>;
  createBucket: Op<s3.CreateBucketCommandInput, s3.CreateBucketCommandOutput>;
  putBucketEncryption: Op<s3.PutBucketEncryptionCommandInput, s3.PutBucketEncryptionCommandOutput>;
  putPublicAccessBlock: Op<s3.PutPublicAccessBlockCommandInput, s3.PutPublicAccessBlockCommandOutput>;
  putBucketLifecycleConfiguration: Op<
    s3.PutBucketLifecycleConfigurationCommandInput,
    s3.PutBucketLifecycleConfigurationCommandOutput
  >;
  putBucketPolicy: Op<s3.PutBucketPolicyCommandInput, s3.PutBucketPolicyCommandOutput>;
  headObject: Op<s3.HeadObjectCommandInput, s3.HeadObjectCommandOutput>;
  putObject: Op<s3.PutObjectCommandInput, s3.PutObjectCommandOutput>;
  listObjectsV2: Op<s3.ListObjectsV2CommandInput, s3.ListObjectsV2CommandOutput>;
  deleteObjects: Op<s3.DeleteObjectsCommandInput, s3.DeleteObjectsCommandOutput>;
  deleteBucket: Op<s3.DeleteBucketCommandInput, s3.DeleteBucketCommandOutput>;
}

export interface EcrApi {
  describeRepositories: Op<ecr.DescribeRepositoriesCommandInput, ecr.DescribeRepositoriesCommandOutput>;
  createRepository: Op<ecr.CreateRepositoryCommandInput, ecr.CreateRepositoryCommandOutput>;
  putLifecyclePolicy: Op<ecr.PutLifecyclePolicyCommandInput, ecr.PutLifecyclePolicyCommandOutput>;
  getAuthorizationToken: Op<ecr.GetAuthorizationTokenCommandInput, ecr.GetAuthorizationTokenCommandOutput>;
  describeImages: Op<ecr.DescribeImagesCommandInput, ecr.DescribeImagesCommandOutput>;
  listTagsForResource: Op<ecr.ListTagsForResourceCommandInput, ecr.ListTagsForResourceCommandOutput>;
  deleteRepository: Op<ecr.DeleteRepositoryCommandInput, ecr.DeleteRepositoryCommandOutput>;
}

export interface StsApi {
  getCallerIdentity: Op<sts.GetCallerIdentityCommandInput, sts.GetCallerIdentityCommandOutput>;
}

export interface EcsApi {
  describeServices: Op<ecs.DescribeServicesCommandInput, ecs.DescribeServicesCommandOutput>;
  listTasks: Op<ecs.ListTasksCommandInput, ecs.ListTasksCommandOutput>;
  describeTasks: Op<ecs.DescribeTasksCommandInput, ecs.DescribeTasksCommandOutput>;
}

export interface LogsApi {
  deleteLogGroup: Op<logs.DeleteLogGroupCommandInput, logs.DeleteLogGroupCommandOutput>;
}

export interface Elbv2Api {
  describeTargetHealth: Op<elb.DescribeTargetHealthCommandInput, elb.DescribeTargetHealthCommandOutput>;
}

export interface LambdaApi {
  invoke: Op<lambda.InvokeCommandInput, lambda.InvokeCommandOutput>;
}

/** `teardown --delete-data` removes the tables the stack retains. */
export interface DynamoDbApi {
  updateTable: Op<dynamodb.UpdateTableCommandInput, dynamodb.UpdateTableCommandOutput>;
  deleteTable: Op<dynamodb.DeleteTableCommandInput, dynamodb.DeleteTableCommandOutput>;
  listTables: Op<dynamodb.ListTablesCommandInput, dynamodb.ListTablesCommandOutput>;
  listTagsOfResource: Op<dynamodb.ListTagsOfResourceCommandInput, dynamodb.ListTagsOfResourceCommandOutput>;
}

export interface AwsClients {
  /** The region every client talks to, resolved from the flag, config or the SDK's default chain. */
  region(): Promise<string>;
  cloudFormation: CloudFormationApi;
  s3: S3Api;
  ecr: EcrApi;
  sts: StsApi;
  ecs: EcsApi;
  logs: LogsApi;
  elbv2: Elbv2Api;
  /** `sentinel smoke anomaly` invokes the detector directly. */
  lambda: LambdaApi;
  dynamodb: DynamoDbApi;
}

export interface AwsClientOptions {
  /** Unset: the SDK's chain (AWS_REGION, the profile's region). */
  region?: string;
  /** A named profile from ~/.aws; unset: AWS_PROFILE or the default chain. */
  profile?: string;
  /** Times the retry backoff (a virtual clock in tests). @default systemClock */
  clock?: Clock;
  /** Told before each retry, e.g. to report throttling as progress. */
  onRetry?: (operation: string, error: unknown, waitMs: number) => void;
}

/**
 * The one retry layer for every AWS call the CLI makes: the SDK makes a single attempt
 * (`maxAttempts: 1`) and each operation below goes through withRetry with RETRY_BUDGET (throttle.ts):
 * a throttled, 5xx or dropped call is tried at most 5 times with about 1, 2, 4 and 8 s between
 * attempts, so at most 5 requests and under 19 s of waiting; other errors are thrown at once. The
 * activity monitor re-sends nothing itself: after a call's budget is spent it only polls more slowly
 * until the operation's deadline.
 */
export { RETRY_BUDGET };

/** Wraps every operation of an API in the retry budget, keeping its shape. */
function retrying<T extends object>(service: string, api: T, options: AwsClientOptions): T {
  const clock = options.clock ?? systemClock;
  const wrapped: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(api) as Array<[string, (input: unknown) => Promise<unknown>]>) {
    const operation = `${service}.${name}`;
    wrapped[name] = (input: unknown) =>
      withRetry(() => op(input), {
        clock,
        onRetry: (error, _attempt, waitMs) => options.onRetry?.(operation, error, waitMs),
      });
  }
  return wrapped as T;
}

export type AwsClientFactory = (options: AwsClientOptions) => AwsClients;

export const createAwsClients: AwsClientFactory = (options) => {
  // One attempt per SDK call: retries happen in `retrying` (see RETRY_BUDGET), never in two layers.
  const config = { region: options.region, profile: options.profile, maxAttempts: 1 };
  const c = new cfn.CloudFormationClient(config);
  const b = new s3.S3Client(config);
  const r = new ecr.ECRClient(config);
  const t = new sts.STSClient(config);
  const e = new ecs.ECSClient(config);
  const l = new logs.CloudWatchLogsClient(config);
  const lb = new elb.ElasticLoadBalancingV2Client(config);
  const fn = new lambda.LambdaClient(config);
  const db = new dynamodb.DynamoDBClient(config);
  return {
    async region() {
      try {
        const region = await c.config.region();
        if (region) return region;
      } catch {
        // The SDK throws "Region is missing"; the error below says how to fix it.
      }
      throw new SentinelError(ErrorCode.AwsRegionMissing, 'No AWS region is configured', {
        hint: REGION_HINT,
        exitCode: 2,
      });
    },
    cloudFormation: nameAwsCalls(
      'CloudFormation',
      retrying(
        'CloudFormation',
        {
          describeStacks: (i) => c.send(new cfn.DescribeStacksCommand(i)),
          describeStackEvents: (i) => c.send(new cfn.DescribeStackEventsCommand(i)),
          listStackResources: (i) => c.send(new cfn.ListStackResourcesCommand(i)),
          getTemplate: (i) => c.send(new cfn.GetTemplateCommand(i)),
          createChangeSet: (i) => c.send(new cfn.CreateChangeSetCommand(i)),
          describeChangeSet: (i) => c.send(new cfn.DescribeChangeSetCommand(i)),
          executeChangeSet: (i) => c.send(new cfn.ExecuteChangeSetCommand(i)),
          deleteChangeSet: (i) => c.send(new cfn.DeleteChangeSetCommand(i)),
          deleteStack: (i) => c.send(new cfn.DeleteStackCommand(i)),
          cancelUpdateStack: (i) => c.send(new cfn.CancelUpdateStackCommand(i)),
          continueUpdateRollback: (i) => c.send(new cfn.ContinueUpdateRollbackCommand(i)),
          updateTerminationProtection: (i) => c.send(new cfn.UpdateTerminationProtectionCommand(i)),
        },
        options,
      ),
    ),
    s3: nameAwsCalls(
      'S3',
      retrying(
        'S3',
        {
          headBucket: (i) => b.send(new s3.HeadBucketCommand(i)),
          createBucket: (i) => b.send(new s3.CreateBucketCommand(i)),
          putBucketEncryption: (i) => b.send(new s3.PutBucketEncryptionCommand(i)),
          putPublicAccessBlock: (i) => b.send(new s3.PutPublicAccessBlockCommand(i)),
          putBucketLifecycleConfiguration: (i) => b.send(new s3.PutBucketLifecycleConfigurationCommand(i)),
          putBucketPolicy: (i) => b.send(new s3.PutBucketPolicyCommand(i)),
          headObject: (i) => b.send(new s3.HeadObjectCommand(i)),
          putObject: (i) => b.send(new s3.PutObjectCommand(i)),
          listObjectsV2: (i) => b.send(new s3.ListObjectsV2Command(i)),
          deleteObjects: (i) => b.send(new s3.DeleteObjectsCommand(i)),
          deleteBucket: (i) => b.send(new s3.DeleteBucketCommand(i)),
        },
        options,
      ),
    ),
    ecr: nameAwsCalls(
      'ECR',
      retrying(
        'ECR',
        {
          describeRepositories: (i) => r.send(new ecr.DescribeRepositoriesCommand(i)),
          createRepository: (i) => r.send(new ecr.CreateRepositoryCommand(i)),
          putLifecyclePolicy: (i) => r.send(new ecr.PutLifecyclePolicyCommand(i)),
          getAuthorizationToken: (i) => r.send(new ecr.GetAuthorizationTokenCommand(i)),
          describeImages: (i) => r.send(new ecr.DescribeImagesCommand(i)),
          listTagsForResource: (i) => r.send(new ecr.ListTagsForResourceCommand(i)),
          deleteRepository: (i) => r.send(new ecr.DeleteRepositoryCommand(i)),
        },
        options,
      ),
    ),
    sts: nameAwsCalls(
      'STS',
      retrying('STS', { getCallerIdentity: (i) => t.send(new sts.GetCallerIdentityCommand(i)) }, options),
    ),
    ecs: nameAwsCalls(
      'ECS',
      retrying(
        'ECS',
        {
          describeServices: (i) => e.send(new ecs.DescribeServicesCommand(i)),
          listTasks: (i) => e.send(new ecs.ListTasksCommand(i)),
          describeTasks: (i) => e.send(new ecs.DescribeTasksCommand(i)),
        },
        options,
      ),
    ),
    logs: nameAwsCalls(
      'CloudWatchLogs',
      retrying(
        'CloudWatchLogs',
        {
          deleteLogGroup: (i) => l.send(new logs.DeleteLogGroupCommand(i)),
        },
        options,
      ),
    ),
    elbv2: nameAwsCalls(
      'ElasticLoadBalancingV2',
      retrying(
        'ElasticLoadBalancingV2',
        {
          describeTargetHealth: (i) => lb.send(new elb.DescribeTargetHealthCommand(i)),
        },
        options,
      ),
    ),
    lambda: nameAwsCalls(
      'Lambda',
      retrying('Lambda', { invoke: (i) => fn.send(new lambda.InvokeCommand(i)) }, options),
    ),
    dynamodb: nameAwsCalls(
      'DynamoDB',
      retrying(
        'DynamoDB',
        {
          updateTable: (i) => db.send(new dynamodb.UpdateTableCommand(i)),
          deleteTable: (i) => db.send(new dynamodb.DeleteTableCommand(i)),
          listTables: (i) => db.send(new dynamodb.ListTablesCommand(i)),
          listTagsOfResource: (i) => db.send(new dynamodb.ListTagsOfResourceCommand(i)),
        },
        options,
      ),
    ),
  };
};

/** The SDK's "not found" shapes differ per service; this is the one place that knows them. */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (!e) return false;
  if (/NotFound|NoSuch|RepositoryNotFound|ResourceNotFound/.test(e.name ?? '')) return true;
  if (e.$metadata?.httpStatusCode === 404) return true;
  return e.name === 'ValidationError' && /does not exist/i.test(e.message ?? '');
}
