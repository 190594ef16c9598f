// plan (offline and against a stack) and the importable API: explicit config first, a progress
// callback, structured results without secrets, and no AWS client at all for a dry run.
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployFoundation, plan } from '../../../src/deploy/api';
import type { AwsClientFactory } from '../../../src/deploy/aws-clients';
import { virtualClock } from '../../../src/deploy/clock';
import type { DeployEvent } from '../../../src/deploy/events';
import { renderStack } from '../../../src/templates';
import {
  change,
  fakePackageRoot,
  FakeStack,
  mockAws,
  SECRET,
  testConfig,
  type MockedAws,
} from '../../helpers/fake-aws';

const throwingFactory: AwsClientFactory = () => {
  throw new Error('a dry run must not create an AWS client');
};

const CONFIG = { upstreamBaseUrl: 'https://api.example.com', jwtSecretKey: SECRET, awsRegion: 'us-east-1' };

describe('plan --dry-run (API)', () => {
  it('constructs no AWS client and returns config, redacted parameters, validation, resources and cost', async () => {
    const result = await plan(CONFIG, {
      mode: 'full',
      dryRun: true,
      clients: throwingFactory,
      env: {},
      packageRoot: fakePackageRoot(),
    });
    expect(result.dryRun).toBe(true);
    expect(result.validation).toEqual({ ok: true, issues: [] });
    expect(result.settings.find((s) => s.key === 'jwtSecretKey')).toMatchObject({
      value: '********',
      source: 'argument',
    });
    expect(result.parameters.some((p) => p.value === '********')).toBe(true);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(result.resources.some((r) => r.type === 'AWS::ECS::Service')).toBe(true);
    expect(result.cost.totalUsd).toBeGreaterThan(0);
    expect(result.diff).toBeUndefined();
  });

  it('explicit config wins over the environment', async () => {
    const result = await plan(
      { ...CONFIG, optimizeFor: 'performance' },
      {
        mode: 'foundation',
        dryRun: true,
        clients: throwingFactory,
        env: { SENTINEL_API_OPTIMIZE_FOR: 'cost' },
        packageRoot: fakePackageRoot(),
      },
    );
    expect(result.preset).toBe('performance');
  });
});

describe('against AWS (mocked)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('plan diffs an existing stack through a change set it deletes afterwards', async () => {
    const stack = new FakeStack('SentinelSdkFoundation').history(['', '', 'CREATE_COMPLETE']);
    stack.parameters = { DetectorCodeKey: 'old.zip', JwtSecretKey: '****' };
    aws.useStack(stack);
    const deployed = renderStack('foundation', testConfig().values, {
      detectorCodeBucket: 'b',
      detectorCodeKey: 'old.zip',
    }).template;
    aws.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(deployed) });
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/plan', StackId: stack.id });
    aws.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')],
    });
    const result = await plan(CONFIG, {
      mode: 'foundation',
      env: {},
      clock: virtualClock(),
      packageRoot: fakePackageRoot(),
    });
    expect(result.dryRun).toBe(false);
    expect(result.account).toBe('123456789012');
    expect(result.diff).toMatchObject({
      exists: true,
      noChanges: false,
      changes: [{ logicalId: 'AnomalyDetectorFunction' }],
    });
    // Same template, new detector code: the change is in a parameter, and the secret is never compared or shown.
    expect(result.diff!.templateDiff).toBe('');
    expect(result.diff!.parameterChanges).toContainEqual({
      key: 'DetectorCodeKey',
      from: 'old.zip',
      to: expect.stringMatching(/^anomaly-detector\/[0-9a-f]{64}\.zip$/),
    });
    expect(JSON.stringify(result.diff)).not.toContain(SECRET);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('plan against no stack removes the empty REVIEW_IN_PROGRESS stack its change set made', async () => {
    const stack = new FakeStack('SentinelSdkFoundation');
    aws.useStack(stack);
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/plan', StackId: stack.id });
    aws.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [change('Add', 'BlocklistTable', 'AWS::DynamoDB::Table')],
    });
    const result = await plan(CONFIG, {
      mode: 'foundation',
      env: {},
      clock: virtualClock(),
      packageRoot: fakePackageRoot(),
    });
    expect(result.diff).toMatchObject({
      exists: false,
      changes: [{ action: 'Add', logicalId: 'BlocklistTable' }],
    });
    expect(aws.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.StackName).toBe(stack.id);
  });

  it('plan interrupted while the change set is computed deletes it once computed and exits 130', async () => {
    const stack = new FakeStack('SentinelSdkFoundation');
    aws.useStack(stack);
    const stop = new AbortController();
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/plan', StackId: stack.id });
    const statuses = ['CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE'];
    aws.cfn.on(DescribeChangeSetCommand).callsFake(() => {
      if (!stop.signal.aborted) setImmediate(() => stop.abort());
      return { Status: statuses.shift() ?? 'CREATE_COMPLETE', Changes: [] };
    });
    const error = await plan(CONFIG, {
      mode: 'foundation',
      env: {},
      clock: virtualClock(),
      packageRoot: fakePackageRoot(),
      signal: stop.signal,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 130, hint: 'Nothing was changed; the change set was deleted.' });
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.StackName).toBe(stack.id);
  });

  it('deployFoundation takes a config object, reports through the callback, and returns a redacted result', async () => {
    const stack = new FakeStack('SentinelSdkFoundation');
    aws.useStack(stack);
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: stack.id });
    aws.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [change('Add', 'BlocklistTable', 'AWS::DynamoDB::Table')],
    });
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.outputs = { BlocklistTableName: 'blocks' };
      stack.queue(
        [['', '', 'CREATE_IN_PROGRESS']],
        [
          ['BlocklistTable', 'AWS::DynamoDB::Table', 'CREATE_COMPLETE'],
          ['', '', 'CREATE_COMPLETE'],
        ],
      );
      return {};
    });
    const events: DeployEvent[] = [];
    const result = await deployFoundation(CONFIG, {
      env: {},
      clock: virtualClock(),
      packageRoot: fakePackageRoot(),
      onProgress: (e) => events.push(e),
    });
    expect(result).toMatchObject({
      status: 'deployed',
      mode: 'foundation',
      stackName: 'SentinelSdkFoundation',
      region: 'us-east-1',
      outputs: { BlocklistTableName: 'blocks' },
    });
    expect(result.parameters.length).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['step', 'identity', 'asset', 'changes', 'resource', 'progress']),
    );
  });
});
