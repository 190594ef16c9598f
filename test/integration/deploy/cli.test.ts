// The stack commands run in-process through runCli, with scripted AWS and a virtual clock: exit
// codes, NDJSON output parseable line by line, and the prompts' non-interactive behaviour.
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { ndjson, runCliInProcess } from '../../helpers/in-process-cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineDeps } from '../../../src/cli/engine-deps';
import { virtualClock } from '../../../src/deploy/clock';
import {
  awsError,
  change,
  fakePackageRoot,
  FakeStack,
  mockAws,
  SECRET,
  type MockedAws,
} from '../../helpers/fake-aws';

const ENV = {
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
  SENTINEL_API_JWT_SECRET_KEY: SECRET,
  SENTINEL_API_AWS_REGION: 'us-east-1',
};

const cli = (args: string[], env: Record<string, string> = ENV) => runCliInProcess(args, { env });

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
  engineDeps.clock = virtualClock();
  engineDeps.packageRoot = fakePackageRoot();
});
afterEach(() => {
  aws.restore();
  delete engineDeps.clock;
  delete engineDeps.clients;
});

function scriptUpdate(stack: FakeStack, ...final: string[]) {
  aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: stack.id });
  aws.cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    Changes: [change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')],
  });
  aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    stack.queue(
      [['', '', 'UPDATE_IN_PROGRESS']],
      [['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE']],
      ...final.map((s) => [['', '', s] as [string, string, string]]),
    );
    return {};
  });
}

describe('sentinel deploy (in-process)', () => {
  it('--yes --json: every stdout line is JSON, the last is the result, exit 0', async () => {
    const stack = new FakeStack('SentinelSdkFoundation').history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    scriptUpdate(stack, 'UPDATE_COMPLETE');
    const run = await cli(['deploy', '--mode', 'foundation', '--yes', '--json']);
    expect(run.code).toBe(0);
    const lines = ndjson(run.stdout);
    expect(lines.map((l) => l.event)).toEqual(
      expect.arrayContaining(['step', 'identity', 'asset', 'changes', 'resource', 'progress']),
    );
    expect(lines.at(-1)).toMatchObject({ event: 'result', status: 'deployed', exitCode: 0 });
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('reports no changes in --json as status no-changes with exit 0', async () => {
    aws.useStack(new FakeStack('SentinelSdkFoundation').history(['', '', 'UPDATE_COMPLETE']));
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: 'sid' });
    aws.cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'No updates are to be performed.' });
    const run = await cli(['deploy', '--mode', 'foundation', '--json']);
    expect(run.code).toBe(0);
    expect(ndjson(run.stdout).at(-1)).toMatchObject({ event: 'result', status: 'no-changes' });
  });

  it('ends with exit 0 when CreateChangeSet itself throws "No updates are to be performed."', async () => {
    aws.useStack(new FakeStack('SentinelSdkFoundation').history(['', '', 'UPDATE_COMPLETE']));
    aws.cfn
      .on(CreateChangeSetCommand)
      .rejects(awsError('ValidationError', 'No updates are to be performed.'));
    const run = await cli(['deploy', '--mode', 'foundation', '--json']);
    expect(run.code).toBe(0);
    expect(ndjson(run.stdout).at(-1)).toMatchObject({ event: 'result', status: 'no-changes', exitCode: 0 });
    expect((await cli(['deploy', '--mode', 'foundation'])).code).toBe(0);
  });

  it('without a terminal and without --yes, shows the changes and stops with exit 3', async () => {
    aws.useStack(new FakeStack('SentinelSdkFoundation').history(['', '', 'CREATE_COMPLETE']));
    scriptUpdate(new FakeStack('x'), 'UPDATE_COMPLETE');
    const run = await cli(['deploy', '--mode', 'foundation']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/ACTION\s+RESOURCE/);
    expect(run.stderr).toContain('--yes');
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('exit 1 on a rolled-back update, with the root cause first', async () => {
    const stack = new FakeStack('SentinelSdkFoundation').history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: stack.id });
    aws.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')],
    });
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue(
        [['', '', 'UPDATE_IN_PROGRESS']],
        [
          [
            'AnomalyDetectorFunction',
            'AWS::Lambda::Function',
            'UPDATE_FAILED',
            'Code size exceeds the limit',
          ],
        ],
        [['', '', 'UPDATE_ROLLBACK_IN_PROGRESS']],
        [['', '', 'UPDATE_ROLLBACK_COMPLETE']],
      );
      return {};
    });
    const run = await cli(['deploy', '--mode', 'foundation', '--yes']);
    expect(run.code).toBe(1);
    const rootAt = run.stderr.indexOf('Root cause:');
    expect(rootAt).toBeGreaterThan(-1);
    expect(run.stderr.indexOf('Code size exceeds the limit', rootAt)).toBeGreaterThan(rootAt);
    expect(run.stderr.indexOf('UPDATE_ROLLBACK_COMPLETE (rolled back)')).toBeGreaterThan(rootAt);
  });

  it('exit 4 when --timeout passes', async () => {
    const stack = new FakeStack('SentinelSdkFoundation').history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    scriptUpdate(stack);
    const run = await cli(['deploy', '--mode', 'foundation', '--yes', '--timeout', '2m']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(
      'sentinel status --stack-name SentinelSdkFoundation --region us-east-1 --follow',
    );
  });

  it('exit 3 for UPDATE_ROLLBACK_FAILED without --recover', async () => {
    aws.useStack(
      new FakeStack('SentinelSdkFoundation').history(
        ['', '', 'UPDATE_IN_PROGRESS'],
        ['', '', 'UPDATE_ROLLBACK_FAILED'],
      ),
    );
    const run = await cli(['deploy', '--mode', 'foundation', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('--recover');
  });

  it('exit 2 listing every configuration problem at once, before any AWS call', async () => {
    const run = await cli(['deploy', '--yes'], {
      SENTINEL_API_OPTIMIZE_FOR: 'fastest',
      SENTINEL_API_RATE_LIMIT_CAPACITY: 'lots',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SENTINEL_API_UPSTREAM_BASE_URL');
    expect(run.stderr).toContain('SENTINEL_API_OPTIMIZE_FOR');
    expect(run.stderr).toContain('SENTINEL_API_RATE_LIMIT_CAPACITY');
    expect(run.stderr).toMatch(/JWT/);
    expect(aws.sts.calls()).toHaveLength(0);
  });

  it('exit 2 for a malformed --tags', async () => {
    const run = await cli(['deploy', '--tags', 'novalue']);
    expect(run.code).toBe(2);
  });
});

describe('sentinel teardown / status / plan (in-process)', () => {
  it('teardown of a stack that does not exist exits 0', async () => {
    aws.useStack(new FakeStack('SentinelSdkFull'));
    const run = await cli(['teardown', '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(ndjson(run.stdout).at(-1)).toMatchObject({ event: 'result', status: 'absent' });
  });

  it('status of a deployed stack shows its state and outputs; absent exits 1', async () => {
    const stack = new FakeStack('SentinelSdkFoundation').history(['', '', 'CREATE_COMPLETE']);
    stack.outputs = { BlocklistTableName: 'blocks-1' };
    aws.useStack(stack);
    aws.cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    const run = await cli(['status', '--mode', 'foundation']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CREATE_COMPLETE');
    expect(run.stdout).toContain('blocks-1');
    aws.useStack(new FakeStack('SentinelSdkFull'));
    expect((await cli(['status'])).code).toBe(1);
  });

  it('plan --dry-run never creates an AWS client', async () => {
    engineDeps.clients = () => {
      throw new Error('no AWS client may be created in a dry run');
    };
    const run = await cli(['plan', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(ndjson(run.stdout).at(-1)).toMatchObject({
      event: 'result',
      dryRun: true,
      validation: { ok: true },
    });
  });
});
