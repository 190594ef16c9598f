// Offline validation catches each class of mistake with the right rule, naming the logical id and
// property path: broken fixtures (YAML as a user or engineer would write it) and targeted
// mutations of the rendered full stack.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests reach into untyped template data */
import { describe, expect, it } from 'vitest';
import {
  renderStack,
  TEMPLATE_RULES,
  validateStack,
  validateTemplate,
  type RenderedStack,
  type TemplateIssue,
} from '../../../src/templates';
import { ASSETS, configFor, fixture } from '../../helpers/template-fixtures';

const rulesOf = (issues: TemplateIssue[]) => [...new Set(issues.map((i) => i.rule))];

describe('broken fixtures', () => {
  const cases: Array<{ file: string; rule: TemplateIssue['rule']; logicalId?: string; path: string; message?: RegExp }> = [
    {
      file: 'unknown-property.yaml',
      rule: 'spec-unknown-property',
      logicalId: 'AlertTopic',
      path: 'Resources.AlertTopic.Properties.DisplayNam',
      message: /did you mean DisplayName/,
    },
    {
      file: 'wrong-getatt.yaml',
      rule: 'spec-unknown-attribute',
      logicalId: 'AlertTopicArn',
      path: 'Outputs.AlertTopicArn.Value',
      message: /TopicArn/,
    },
    {
      file: 'dangling-ref.yaml',
      rule: 'ref-unresolved',
      logicalId: 'AlertEmailSubscription',
      path: 'Resources.AlertEmailSubscription.Properties.TopicArn.Ref',
      message: /AlertTopics/,
    },
    {
      file: 'secret-in-environment.yaml',
      rule: 'secret-in-environment',
      logicalId: 'GatewayTaskDefinition',
      path: 'Resources.GatewayTaskDefinition.Properties.ContainerDefinitions[0].Environment[0]',
    },
    {
      file: 'secret-parameter-echo.yaml',
      rule: 'secret-parameter-echo',
      path: 'Parameters.UpstreamApiToken',
    },
    {
      file: 'open-redis-sg.yaml',
      rule: 'sg-redis-ingress',
      logicalId: 'RedisSecurityGroup',
      path: 'Resources.RedisSecurityGroup.Properties.SecurityGroupIngress[0]',
      message: /0\.0\.0\.0\/0/,
    },
    {
      file: 'iam-wildcard.yaml',
      rule: 'iam-wildcard-action',
      logicalId: 'DetectorRole',
      path: 'Resources.DetectorRole.Properties.Policies[0].PolicyDocument.Statement[0].Action',
    },
  ];

  it.each(cases)('$file is caught by $rule', ({ file, rule, logicalId, path, message }) => {
    const issues = validateTemplate({ name: file, template: fixture(file) });
    const hit = issues.find((i) => i.rule === rule);
    expect(hit, JSON.stringify(issues, null, 2)).toBeDefined();
    expect(hit).toMatchObject({ template: file, path, ...(logicalId ? { logicalId } : {}) });
    if (message) expect(hit!.message).toMatch(message);
    // Each fixture is otherwise clean: its one mistake is the only kind reported.
    const extra = file === 'iam-wildcard.yaml' ? ['iam-wildcard-resource'] : [];
    expect(rulesOf(issues).sort()).toEqual([rule, ...extra].sort());
  });
});

/** The rendered full stack with HTTPS, changed by `mutate`, then validated. */
function mutated(mutate: (template: any, stack: RenderedStack) => void): TemplateIssue[] {
  const stack = renderStack('full', configFor({ https: true }), ASSETS);
  mutate(stack.template, stack);
  stack.body = JSON.stringify(stack.template);
  return validateStack(stack);
}

describe('rules on the rendered stack', () => {
  const R = (t: any) => t.Resources;

  it.each<[string, TemplateIssue['rule'], (t: any, s: RenderedStack) => void]>([
    ['a secret parameter loses NoEcho', 'secret-parameter-echo', (t) => delete t.Parameters.JwtSecretKey.NoEcho],
    [
      'the secret goes into the container environment',
      'secret-in-environment',
      (t) =>
        R(t).GatewayTaskDefinition.Properties.ContainerDefinitions[0].Environment.push({
          Name: 'SENTINEL_API_JWT_SECRET_KEY',
          Value: { Ref: 'JwtSecretKey' },
        }),
    ],
    [
      'an output echoes the secret',
      'secret-in-output',
      (t) => (t.Outputs.Leak = { Value: { 'Fn::Sub': 'key=${JwtSecretKey}' } }),
    ],
    [
      'Redis opens to a CIDR',
      'sg-redis-ingress',
      (t) => (R(t).RedisSecurityGroup.Properties.SecurityGroupIngress[0].CidrIp = '10.0.0.0/16'),
    ],
    [
      'Redis accepts the load balancer',
      'sg-redis-ingress',
      (t) =>
        (R(t).RedisSecurityGroup.Properties.SecurityGroupIngress[0].SourceSecurityGroupId = {
          'Fn::GetAtt': ['AlbSecurityGroup', 'GroupId'],
        }),
    ],
    [
      'the gateway opens to the internet',
      'sg-gateway-ingress',
      (t) =>
        (R(t).GatewayOpen = {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Properties: {
            GroupId: { 'Fn::GetAtt': ['GatewaySecurityGroup', 'GroupId'] },
            IpProtocol: 'tcp',
            FromPort: 8000,
            ToPort: 8000,
            CidrIp: '0.0.0.0/0',
          },
        }),
    ],
    [
      'the load balancer opens SSH',
      'sg-alb-ingress',
      (t) =>
        R(t).AlbSecurityGroup.Properties.SecurityGroupIngress.push({
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIp: '0.0.0.0/0',
        }),
    ],
    [
      'a wildcard action',
      'iam-wildcard-action',
      (t) => (R(t).GatewayTaskRole.Properties.Policies[0].PolicyDocument.Statement[0].Action = 'dynamodb:*'),
    ],
    [
      'a table action on every resource',
      'iam-wildcard-resource',
      (t) => (R(t).GatewayTaskRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource = '*'),
    ],
    ['an unencrypted table', 'encryption-at-rest', (t) => delete R(t).BlocklistTable.Properties.SSESpecification],
    ['an unencrypted topic', 'encryption-at-rest', (t) => delete R(t).AlertTopic.Properties.KmsMasterKeyId],
    [
      'Redis without TLS',
      'encryption-in-transit',
      (t) => (R(t).RedisReplicationGroup.Properties.TransitEncryptionEnabled = false),
    ],
    ['Redis without an AUTH token', 'redis-auth', (t) => delete R(t).RedisReplicationGroup.Properties.AuthToken],
    [
      'a Redis AUTH token written in the template',
      'redis-auth',
      (t) => (R(t).RedisReplicationGroup.Properties.AuthToken = 'correct-horse-battery-staple'),
    ],
    [
      'a Redis AUTH token from a parameter that is echoed',
      'redis-auth',
      (t) => (R(t).RedisReplicationGroup.Properties.AuthToken = { Ref: 'RedisNodeType' }),
    ],
    [
      'an old TLS policy',
      'encryption-in-transit',
      (t) => (R(t).HttpsListener.Properties.SslPolicy = 'ELBSecurityPolicy-2016-08'),
    ],
    ['an unknown resource type', 'spec-unknown-type', (t) => (R(t).Vpc.Type = 'AWS::EC2::Vpcs')],
    ['a required property removed', 'spec-missing-property', (t) => delete R(t).DetectorRole.Properties.AssumeRolePolicyDocument],
    ['a list given as a scalar', 'spec-wrong-shape', (t) => (R(t).LoadBalancer.Properties.Subnets = 'subnet-1')],
    [
      'an unknown nested property',
      'spec-unknown-property',
      (t) => (R(t).GatewayTaskDefinition.Properties.ContainerDefinitions[0].StopTimeOut = 30),
    ],
    [
      'a conditional resource referenced unconditionally',
      'ref-conditional',
      (t) => (t.Outputs.HttpsListenerArn = { Value: { Ref: 'HttpsListener' } }),
    ],
    ['an undeclared condition', 'condition-unresolved', (t) => (R(t).HttpsListener.Condition = 'HasCert')],
    ['an unused condition', 'condition-unused', (t) => (t.Conditions.Never = { 'Fn::Equals': ['a', 'b'] })],
    ['a Sub variable that resolves nowhere', 'ref-unresolved', (t) => (t.Outputs.X = { Value: { 'Fn::Sub': '${Nope}' } })],
    ['DependsOn a missing resource', 'ref-unresolved', (t) => (R(t).GatewayService.DependsOn = 'Nope')],
    ['an unused parameter', 'parameter-unused', (t) => (t.Parameters.Spare = { Type: 'String', Default: '' })],
    ['a declared parameter not passed', 'parameter-not-passed', (_t, s) => (s.parameters = s.parameters.filter((p) => p.key !== 'RateLimitCapacity'))],
    ['a passed parameter not declared', 'parameter-undeclared', (_t, s) => s.parameters.push({ key: 'Extra', value: 'x', secret: false })],
    [
      'a Fargate size AWS refuses',
      'parameter-value',
      (_t, s) => (s.parameters.find((p) => p.key === 'FargateMemoryMib')!.value = '4096'),
    ],
    [
      'autoscaling bounds reversed',
      'parameter-value',
      (_t, s) => (s.parameters.find((p) => p.key === 'EcsMinCount')!.value = '5'),
    ],
    ['a resource without tags', 'tags-missing', (t) => delete R(t).Vpc.Properties.Tags],
    [
      'a body over the inline limit',
      'template-limit',
      (t) => (t.Metadata.Padding = 'x'.repeat(60_000)),
    ],
  ])('%s -> %s', (_name, rule, mutate) => {
    const issues = mutated(mutate);
    expect(rulesOf(issues), JSON.stringify(issues, null, 2)).toContain(rule);
    for (const issue of issues) expect(issue.template).toBe('full');
  });

  it('names the fragment that defines a resource', () => {
    const issues = mutated((t) => delete t.Resources.GatewayTaskRole.Properties.AssumeRolePolicyDocument);
    expect(issues[0]).toMatchObject({
      logicalId: 'GatewayTaskRole',
      path: 'Resources.GatewayTaskRole.Properties',
      source: 'templates/gateway.yaml',
    });
  });

  it('accepts a Redis AUTH token from a NoEcho parameter', () => {
    const issues = mutated((t) => {
      t.Resources.RedisReplicationGroup.Properties.AuthToken = { 'Fn::Sub': '${JwtSecretKey}' };
    });
    expect(rulesOf(issues), JSON.stringify(issues, null, 2)).not.toContain('redis-auth');
  });

  it('documents every rule it can report', () => {
    expect(Object.keys(TEMPLATE_RULES).length).toBeGreaterThanOrEqual(20);
  });
});
