// The narrow face of AWS the deploy engine uses: only the operations it calls, each taking and
// returning the SDK's own shapes. Tests script the SDK clients with aws-sdk-client-mock; nothing
// else in src/deploy constructs a client, so a dry run that never calls the factory makes no AWS call.
import * as cfn from '@aws-sdk/client-cloudformation';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as ecr from '@aws-sdk/client-ecr';
import * as ecs from '@aws-sdk/client-ecs';
import * as elb from '@aws-sdk/client-elastic-load-balancing-v2';
import * as lambda from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
import * as sts from '@aws-sdk/client-sts';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { nameAwsCalls, REGION_HINT } from './aws-error';

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
}

export interface AwsClientOptions {
  /** Unset: the SDK's chain (AWS_REGION, the profile's region). */
  region?: string;
  /** A named profile from ~/.aws; unset: AWS_PROFILE or the default chain. */
  profile?: string;
}

export type AwsClientFactory = (options: AwsClientOptions) => AwsClients;

export const createAwsClients: AwsClientFactory = (options) => {
  // The SDK retries throttling itself a few times; our pollers add their own slower backoff on top.
  const config = { region: options.region, profile: options.profile, maxAttempts: 5 };
  const c = new cfn.CloudFormationClient(config);
  const b = new s3.S3Client(config);
  const r = new ecr.ECRClient(config);
  const t = new sts.STSClient(config);
  const e = new ecs.ECSClient(config);
  const l = new logs.CloudWatchLogsClient(config);
  const lb = new elb.ElasticLoadBalancingV2Client(config);
  const fn = new lambda.LambdaClient(config);
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
    cloudFormation: nameAwsCalls('CloudFormation', {
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
    }),
    s3: nameAwsCalls('S3', {
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
    }),
    ecr: nameAwsCalls('ECR', {
      describeRepositories: (i) => r.send(new ecr.DescribeRepositoriesCommand(i)),
      createRepository: (i) => r.send(new ecr.CreateRepositoryCommand(i)),
      putLifecyclePolicy: (i) => r.send(new ecr.PutLifecyclePolicyCommand(i)),
      getAuthorizationToken: (i) => r.send(new ecr.GetAuthorizationTokenCommand(i)),
      describeImages: (i) => r.send(new ecr.DescribeImagesCommand(i)),
      listTagsForResource: (i) => r.send(new ecr.ListTagsForResourceCommand(i)),
      deleteRepository: (i) => r.send(new ecr.DeleteRepositoryCommand(i)),
    }),
    sts: nameAwsCalls('STS', { getCallerIdentity: (i) => t.send(new sts.GetCallerIdentityCommand(i)) }),
    ecs: nameAwsCalls('ECS', {
      describeServices: (i) => e.send(new ecs.DescribeServicesCommand(i)),
      listTasks: (i) => e.send(new ecs.ListTasksCommand(i)),
      describeTasks: (i) => e.send(new ecs.DescribeTasksCommand(i)),
    }),
    logs: nameAwsCalls('CloudWatchLogs', {
      deleteLogGroup: (i) => l.send(new logs.DeleteLogGroupCommand(i)),
    }),
    elbv2: nameAwsCalls('ElasticLoadBalancingV2', {
      describeTargetHealth: (i) => lb.send(new elb.DescribeTargetHealthCommand(i)),
    }),
    lambda: nameAwsCalls('Lambda', { invoke: (i) => fn.send(new lambda.InvokeCommand(i)) }),
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
