// What the stacks promise beyond validity: operator data survives a teardown, tags only where every
// region's registry schema has them, least-privilege image pulls and endpoint, a non-root task that
// stops within its grace, the Lambda on the gateway's Node major, and a detector that cannot fail
// unnoticed.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests reach into untyped template data */
import { describe, expect, it } from 'vitest';
import { RUNTIME_NODE_MAJOR } from '../../../core/node-runtime';
import { resolveConfig } from '../../../core/config/resolve';
import { TABLES } from '../../../core/shared/tables';
import { renderStack, validateStack } from '../../../src/templates';
import { RETAINED_TABLE_IDS } from '../../../src/templates/generated-fragments';
import { ecrRepositoryArn } from '../../../src/templates/image-repository';
import { stopTimeoutSeconds } from '../../../src/templates/stop-timeout';
import { ASSETS, configFor } from '../../helpers/template-fixtures';

type Resource = { Type: string; Condition?: string; Properties: Record<string, any>; [k: string]: any };
const render = (env: Record<string, string> = {}, assets = ASSETS) => renderStack('full', configFor({ env }), assets);
const resources = (stack = render()) => stack.template.Resources as Record<string, Resource>;
const param = (stack: ReturnType<typeof render>, key: string) => stack.parameters.find((p) => p.key === key)?.value;

describe('stack hardening', () => {
  it('retains the blocklist table on delete and replace, with PITR and deletion protection', () => {
    expect(RETAINED_TABLE_IDS).toEqual(['blocklist']);
    const r = resources();
    expect(r[TABLES.blocklist.logicalId]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
    for (const id of ['requestLogs', 'trafficAggregates'] as const) {
      expect(r[TABLES[id].logicalId]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      expect(r[TABLES[id].logicalId]!.Properties.DeletionProtectionEnabled).toBeUndefined();
    }
  });

  it('tags neither the listeners nor the scalable target, and tags the rest', () => {
    const r = resources(renderStack('full', configFor({ https: true }), ASSETS));
    for (const id of ['HttpListener', 'HttpsListener', 'GatewayScalableTarget']) {
      expect(r[id]!.Properties.Tags, id).toBeUndefined();
    }
    expect(r.LoadBalancer!.Properties.Tags).toEqual(
      expect.arrayContaining([{ Key: 'sentinel-api:product', Value: 'sentinel-api' }]),
    );
  });

  it('runs the detector on the Lambda runtime of the gateway Node major', () => {
    expect(resources().AnomalyDetectorFunction!.Properties.Runtime).toBe(`nodejs${RUNTIME_NODE_MAJOR}.x`);
  });

  it('scopes ECR pulls to the image repository, and grants none for a public image', () => {
    const stack = render();
    expect(param(stack, 'GatewayImageRepositoryArn')).toBe(
      'arn:aws:ecr:us-east-1:123456789012:repository/sentinel-gateway',
    );
    const statements = resources(stack).GatewayExecutionRole!.Properties.Policies[0].PolicyDocument.Statement;
    const pull = statements.find((s: any) => s['Fn::If']?.[1]?.Sid === 'PullGatewayImage')['Fn::If'];
    expect(pull[0]).toBe('PullsFromEcr');
    expect(pull[1].Resource).toEqual({ Ref: 'GatewayImageRepositoryArn' });
    expect(pull[2]).toEqual({ Ref: 'AWS::NoValue' });
    expect(JSON.stringify(statements)).not.toContain('repository/*');

    const publicStack = render({}, { ...ASSETS, gatewayImageUri: 'public.ecr.aws/sentinelapi/gateway:1.2.3' });
    expect(param(publicStack, 'GatewayImageRepositoryArn')).toBe('');
    expect(ecrRepositoryArn('999999999999.dkr.ecr.eu-west-1.amazonaws.com/team/gw:v1')).toBe(
      'arn:aws:ecr:eu-west-1:999999999999:repository/team/gw',
    );
    expect(ecrRepositoryArn('111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/gw@sha256:' + 'b'.repeat(64))).toBe(
      'arn:aws-cn:ecr:cn-north-1:111122223333:repository/gw',
    );
    expect(ecrRepositoryArn('docker.io/library/node:24')).toBeUndefined();
  });

  it("limits the DynamoDB endpoint to the gateway's actions on the stack's tables", () => {
    const policy = resources().DynamoDbEndpoint!.Properties.PolicyDocument;
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement.Action.every((a: string) => a.startsWith('dynamodb:') && !a.includes('*'))).toBe(true);
    expect(statement.Resource).toHaveLength(Object.keys(TABLES).length);
    expect(statement.Resource).toEqual(
      expect.arrayContaining(Object.values(TABLES).map((t) => ({ 'Fn::GetAtt': [t.logicalId, 'Arn'] }))),
    );
  });

  it('lets through the endpoint exactly the DynamoDB actions the gateway task role has', () => {
    // A new action in the role but not in the endpoint policy would fail only in AWS, at run time.
    const r = resources();
    const roleActions = r
      .GatewayTaskRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)
      .flatMap((st: any) => [st.Action].flat())
      .filter((a: string) => a.startsWith('dynamodb:'));
    const endpointActions = r.DynamoDbEndpoint!.Properties.PolicyDocument.Statement[0].Action;
    expect([...new Set(endpointActions)].sort()).toEqual([...new Set(roleActions)].sort());
  });

  it('runs the container as uid 1000 and derives the stop timeout from the shutdown grace', () => {
    const stack = render({ SENTINEL_API_SHUTDOWN_GRACE_SECONDS: '45' });
    const container = resources(stack).GatewayTaskDefinition!.Properties.ContainerDefinitions[0];
    expect(container.User).toBe('1000');
    expect(container.StopTimeout).toEqual({ Ref: 'GatewayStopTimeoutSeconds' });
    expect(param(stack, 'GatewayStopTimeoutSeconds')).toBe('55');
    expect(param(stack, 'ShutdownGraceSeconds')).toBe('45');
    const env = container.Environment.find((e: any) => e.Name === 'SENTINEL_API_SHUTDOWN_GRACE_SECONDS');
    expect(env.Value).toEqual({ Ref: 'ShutdownGraceSeconds' });
    expect(stopTimeoutSeconds(110)).toBe(120);
    expect(stopTimeoutSeconds(0.5)).toBe(11);
  });

  it('refuses a shutdown grace whose stop timeout Fargate would reject', () => {
    const result = resolveConfig({
      env: {
        SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
        SENTINEL_API_SHUTDOWN_GRACE_SECONDS: '115',
      },
    });
    expect(result.issues.map((i) => i.variable)).toContain('SENTINEL_API_SHUTDOWN_GRACE_SECONDS');
  });

  it('alarms on detector errors, throttles and undelivered runs, on a topic CloudWatch can use', () => {
    for (const mode of ['foundation', 'full'] as const) {
      const stack = renderStack(mode, configFor(), ASSETS);
      const r = stack.template.Resources as Record<string, Resource>;
      const alarms = Object.values(r).filter((x) => x.Type === 'AWS::CloudWatch::Alarm');
      expect(alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`).sort()).toEqual([
        'AWS/Events/FailedInvocations',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Throttles',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
      ]);
      for (const alarm of alarms) {
        // Within 30 minutes of the failure: one period, at most 15 minutes long.
        expect(alarm.Properties.Period * alarm.Properties.EvaluationPeriods).toBeLessThanOrEqual(900);
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
      }
      // Not the AWS-managed key: its key policy admits no CloudWatch.
      expect(r.AlarmTopic!.Properties.KmsMasterKeyId).toEqual({ Ref: 'AlarmTopicKey' });
      const keyStatements = r.AlarmTopicKey!.Properties.KeyPolicy.Statement;
      expect(keyStatements.some((s: any) => s.Principal.Service === 'cloudwatch.amazonaws.com')).toBe(true);
      expect(r.AlarmEmailSubscription).toMatchObject({ Condition: 'HasAlertEmail' });
      const target = r.DetectorSchedule!.Properties.Targets[0];
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': ['DetectorDeadLetterQueue', 'Arn'] });
      expect(r.DetectorInvokeConfig!.Properties.MaximumEventAgeInSeconds).toBeLessThanOrEqual(1800);
      expect(validateStack(stack)).toEqual([]);
    }
  });

  it('names no IAM resource, so CAPABILITY_IAM suffices', () => {
    const named = ['RoleName', 'ManagedPolicyName', 'UserName', 'GroupName', 'InstanceProfileName'];
    for (const mode of ['foundation', 'full'] as const) {
      const r = renderStack(mode, configFor(), ASSETS).template.Resources as Record<string, Resource>;
      const iam = Object.entries(r).filter(([, x]) => x.Type.startsWith('AWS::IAM::'));
      expect(iam.length).toBeGreaterThan(0);
      for (const [id, x] of iam) for (const key of named) expect(x.Properties[key], `${id}.${key}`).toBeUndefined();
    }
  });
});
