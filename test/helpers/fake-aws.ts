// Scripted AWS for the deploy engine's tests. AWS cannot be reached from here, so CloudFormation is
// simulated as a state machine behind aws-sdk-client-mock: events are released batch by batch as the
// engine polls (newest first, paged), and the stack status follows the stack-level events released.
import type { GatewayImages } from '../../src/deploy/images';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type DescribeStackEventsCommandInput,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { loadTemplateConfig } from '../../src/deploy/api';
import { createAwsClients } from '../../src/deploy/aws-clients';
import { virtualClock, DEFAULT_INTERVALS } from '../../src/deploy/clock';
import type { EngineContext, Question } from '../../src/deploy/engine';
import type { DeployEvent } from '../../src/deploy/events';
import { bundlePaths } from '../../src/deploy/package-root';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** An SDK error the way the v3 clients throw them: the name is what code branches on. */
export function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: 'client' });
}

/** A response lost on the wire (the request may well have been accepted), as Node reports it. */
export const connectionReset = () =>
  Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });
export const notFound = () => awsError('NotFound', 'Not Found', 404);
export const throttled = () => awsError('Throttling', 'Rate exceeded', 400);
export const stackMissing = (name: string) =>
  awsError('ValidationError', `Stack with id ${name} does not exist`);

/** [logicalId, type, status, reason?]; a logicalId of '' means the stack itself. */
export type EventSpec = [string, string, string, string?];

export class FakeStack {
  readonly id: string;
  status: string | undefined;
  terminationProtection = false;
  outputs: Record<string, string> = {};
  tags: Array<{ Key: string; Value: string }> = [];
  parameters: Record<string, string> = {};
  /** Chronological. */
  private readonly released: StackEvent[] = [];
  private readonly pending: StackEvent[][] = [];
  private seq = 0;
  private time = Date.UTC(2026, 0, 1, 11, 0, 0);
  eventCalls = 0;
  pagesRead = 0;

  constructor(
    readonly name: string,
    status?: string,
    readonly pageSize = 4,
  ) {
    this.id = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-000000000001`;
    this.status = status;
  }

  private event([logicalId, type, status, reason]: EventSpec): StackEvent {
    this.seq += 1;
    this.time += 7000;
    const isStack = logicalId === '';
    return {
      EventId: `evt-${String(this.seq).padStart(4, '0')}`,
      StackId: this.id,
      StackName: this.name,
      LogicalResourceId: isStack ? this.name : logicalId,
      PhysicalResourceId: isStack ? this.id : `${logicalId}-physical`,
      ResourceType: isStack ? 'AWS::CloudFormation::Stack' : type,
      ResourceStatus: status as StackEvent['ResourceStatus'],
      ResourceStatusReason: reason,
      Timestamp: new Date(this.time),
    };
  }

  private apply(event: StackEvent): void {
    this.released.push(event);
    if (event.ResourceType === 'AWS::CloudFormation::Stack') this.status = event.ResourceStatus;
  }

  /** Stamps the next events from `ms` on (e.g. the engine's clock, for markers that fall back to time). */
  at(ms: number): this {
    this.time = Math.max(this.time, ms);
    return this;
  }

  /** Events that already happened (before the engine looks). */
  history(...specs: EventSpec[]): this {
    for (const spec of specs) this.apply(this.event(spec));
    return this;
  }

  /** Batches released one per first-page DescribeStackEvents call, as time passes. */
  queue(...batches: EventSpec[][]): this {
    for (const batch of batches) this.pending.push(batch.map((s) => this.event(s)));
    return this;
  }

  /** Sets the physical id of the next-queued event for a logical id (e.g. the ECS service ARN). */
  physicalId(logicalId: string, physicalId: string): this {
    for (const e of [...this.released, ...this.pending.flat()])
      if (e.LogicalResourceId === logicalId) e.PhysicalResourceId = physicalId;
    return this;
  }

  describeStackEvents(input: DescribeStackEventsCommandInput) {
    this.eventCalls += 1;
    if (!input.NextToken && this.pending.length > 0) for (const e of this.pending.shift()!) this.apply(e);
    if (this.status === undefined) throw stackMissing(input.StackName ?? '');
    this.pagesRead += 1;
    const newestFirst = [...this.released].reverse();
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = newestFirst.slice(start, start + this.pageSize);
    const next = start + this.pageSize < newestFirst.length ? String(start + this.pageSize) : undefined;
    return { StackEvents: page, NextToken: next, $metadata: {} };
  }

  describeStacks(name: string | undefined): { Stacks: Stack[]; $metadata: object } {
    const byName = name === this.name;
    if (this.status === undefined || (this.status === 'DELETE_COMPLETE' && byName))
      throw stackMissing(name ?? '');
    return {
      $metadata: {},
      Stacks: [
        {
          StackId: this.id,
          StackName: this.name,
          StackStatus: this.status as Stack['StackStatus'],
          CreationTime: new Date(Date.UTC(2026, 0, 1, 10)),
          // CloudFormation sets it when an update starts (not on create, delete or rollback).
          LastUpdatedTime: this.released.findLast(
            (e) =>
              e.ResourceType === 'AWS::CloudFormation::Stack' && e.ResourceStatus === 'UPDATE_IN_PROGRESS',
          )?.Timestamp,
          EnableTerminationProtection: this.terminationProtection,
          Outputs: Object.entries(this.outputs).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
          })),
          Tags: this.tags,
          Parameters: Object.entries(this.parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
        },
      ],
    };
  }
}

export function mockAws() {
  const mocks = {
    cfn: mockClient(CloudFormationClient),
    s3: mockClient(S3Client),
    ecr: mockClient(ECRClient),
    sts: mockClient(STSClient),
    ecs: mockClient(ECSClient),
    logs: mockClient(CloudWatchLogsClient),
    elb: mockClient(ElasticLoadBalancingV2Client),
  };
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/deployer` });
  mocks.s3.on(HeadBucketCommand).resolves({});
  mocks.s3.on(HeadObjectCommand).rejects(notFound());
  mocks.s3.on(PutObjectCommand).resolves({});
  mocks.ecr
    .on(DescribeRepositoriesCommand)
    .rejects(awsError('RepositoryNotFoundException', 'The repository does not exist'));
  return {
    ...mocks,
    /** Routes DescribeStacks and DescribeStackEvents to a fake stack. */
    useStack(stack: FakeStack) {
      mocks.cfn
        .on(DescribeStacksCommand)
        .callsFake((input: { StackName?: string }) => stack.describeStacks(input.StackName));
      mocks.cfn
        .on(DescribeStackEventsCommand)
        .callsFake((input: DescribeStackEventsCommandInput) => stack.describeStackEvents(input));
    },
    restore() {
      for (const m of Object.values(mocks)) m.restore();
    },
  };
}

export type MockedAws = ReturnType<typeof mockAws>;

/** A package root with a built-looking detector and gateway bundle and a Dockerfile. */
export function fakePackageRoot(
  detectorSource = 'export const handler = async () => ({ ok: true });\n',
): string {
  const root = mkdtempSync(join(tmpdir(), 'sentinel-deploy-'));
  writeFileSync(join(root, 'package.json'), '{"name":"sentinel-api"}');
  mkdirSync(join(root, 'dist', 'lambda', 'anomaly-detector'), { recursive: true });
  writeFileSync(join(root, 'dist', 'lambda', 'anomaly-detector', 'index.mjs'), detectorSource);
  mkdirSync(join(root, 'dist', 'gateway'), { recursive: true });
  writeFileSync(join(root, 'dist', 'gateway', 'server.mjs'), 'console.log("gateway");\n');
  mkdirSync(join(root, 'runtime'), { recursive: true });
  writeFileSync(
    join(root, 'runtime', 'Dockerfile'),
    'FROM node:22-alpine\nCOPY dist/gateway/server.mjs /app/\n',
  );
  return root;
}

export const SECRET = 'a-test-secret-that-is-long-enough-for-hs256-0123456789';

export function testConfig(extra: Record<string, unknown> = {}, cwd = tmpdir()) {
  return loadTemplateConfig(
    { upstreamBaseUrl: 'https://api.example.com', jwtSecretKey: SECRET, awsRegion: REGION, ...extra },
    { env: {}, cwd },
  );
}

/**
 * Stack-engine tests are not about registries (test/integration/image and deploy/image.test.ts are):
 * every explicit image exists, and building one is a test bug.
 */
export const ACCEPTING_IMAGES: GatewayImages = {
  check: async (uri, architecture) => ({
    uri,
    platform: architecture === 'x86_64' ? 'linux/amd64' : 'linux/arm64',
  }),
  build: () => Promise.reject(new Error('this engine test builds no image: pass gatewayImageUri or images')),
  push: () => Promise.reject(new Error('this engine test pushes no image')),
};

export interface TestEngine extends EngineContext {
  events: DeployEvent[];
  questions: Question[];
  clock: ReturnType<typeof virtualClock>;
}

export function testEngine(
  options: {
    answer?: boolean;
    root?: string;
    signal?: AbortSignal;
    detachSignal?: AbortSignal;
    images?: GatewayImages;
  } = {},
): TestEngine {
  const events: DeployEvent[] = [];
  const questions: Question[] = [];
  const clock = virtualClock();
  return {
    // The real client adapter over the mocked SDK clients: its retry layer runs on the virtual clock.
    clients: createAwsClients({
      region: REGION,
      clock,
      onRetry: (what, _error, retryInMs) => events.push({ type: 'throttled', what, retryInMs }),
    }),
    clock,
    intervals: DEFAULT_INTERVALS,
    runner: { run: async () => ({ code: 0, stdout: '', stderr: '' }) },
    paths: bundlePaths(options.root ?? fakePackageRoot()),
    images: options.images ?? ACCEPTING_IMAGES,
    onProgress: (e) => events.push(e),
    confirm: async (q) => {
      questions.push(q);
      return options.answer ?? true;
    },
    signal: options.signal,
    detachSignal: options.detachSignal,
    events,
    questions,
  };
}

/** Changes as DescribeChangeSet returns them. */
export function change(
  action: string,
  logicalId: string,
  type: string,
  replacement?: 'True' | 'False' | 'Conditional',
) {
  return {
    Type: 'Resource' as const,
    ResourceChange: {
      Action: action as 'Add',
      LogicalResourceId: logicalId,
      ResourceType: type,
      Replacement: replacement,
      PhysicalResourceId: action === 'Add' ? undefined : `${logicalId}-physical`,
    },
  };
}
