// Rendering: both modes under both presets, with and without HTTPS, validate clean; the full stack
// is the foundation plus the gateway; parameters and environments derive from the config schema.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests reach into untyped template data */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName } from '../../../core/config/knob';
import { RUNTIME_NODE_MAJOR } from '../../../core/node-runtime';
import { consumedBy, knobFor } from '../../../core/config/schema';
import { ErrorCode } from '../../../core/shared/errors';
import { TABLES, TABLE_IDS } from '../../../core/shared/tables';
import {
  DEFAULT_STACK_NAMES,
  formatTemplateIssue,
  parameterName,
  renderStack,
  STATEFUL_RESOURCE_TYPES,
  stackResources,
  validateStack,
  type StackMode,
} from '../../../src/templates';
import { evaluateCondition } from '../../../src/templates/conditions';
import { findTemplatesDir } from '../../../src/templates/templates-dir';
import { ConfigError } from '../../../core/config/issues';
import { ASSETS, CERTIFICATE_ARN, configFor } from '../../helpers/template-fixtures';

type Resource = { Type: string; Condition?: string; Properties: Record<string, any>; DependsOn?: unknown };
const resourcesOf = (mode: StackMode, https = false) =>
  renderStack(mode, configFor({ https }), ASSETS).template.Resources as Record<string, Resource>;

describe('renderStack', () => {
  const cases = (['foundation', 'full'] as const).flatMap((mode) =>
    (['cost', 'performance'] as const).flatMap((preset) => [false, true].map((https) => ({ mode, preset, https }))),
  );

  it.each(cases)('$mode / $preset / https=$https renders and validates clean', ({ mode, preset, https }) => {
    const stack = renderStack(mode, configFor({ preset, https }), ASSETS);
    expect(stack.mode).toBe(mode);
    expect(JSON.parse(stack.body)).toEqual(stack.template);
    expect(validateStack(stack).map(formatTemplateIssue)).toEqual([]);
  });

  it('keeps the original stack names', () => {
    expect(DEFAULT_STACK_NAMES).toEqual({ foundation: 'SentinelSdkFoundation', full: 'SentinelSdkFull' });
  });

  it('renders full as the foundation plus the gateway, sharing every foundation definition', () => {
    const foundation = renderStack('foundation', configFor(), ASSETS).template;
    const full = renderStack('full', configFor(), ASSETS).template;
    for (const section of ['Resources', 'Outputs', 'Conditions'] as const) {
      for (const [id, value] of Object.entries(foundation[section] as object)) {
        expect((full[section] as Record<string, unknown>)[id], `${section}.${id}`).toEqual(value);
      }
    }
    expect(Object.keys(full.Resources as object).length).toBeGreaterThan(
      Object.keys(foundation.Resources as object).length + 20,
    );
  });

  it('produces a body that depends on the mode only, so config changes are parameter changes', () => {
    const bodies = [
      configFor(),
      configFor({ preset: 'performance', https: true }),
      configFor({ env: { SENTINEL_API_ALERT_EMAIL: 'ops@example.com' } }),
    ].map((config) => renderStack('full', config, ASSETS).body);
    expect(new Set(bodies).size).toBe(1);
  });

  it('declares every template knob as a parameter of the full stack, and only what a mode uses', () => {
    const full = renderStack('full', configFor(), ASSETS).template.Parameters as Record<string, any>;
    for (const key of consumedBy('template')) expect(full, key).toHaveProperty(parameterName(key));
    const foundation = renderStack('foundation', configFor(), ASSETS).template.Parameters as object;
    const detectorKnobs = consumedBy('template').filter((k) => knobFor(k).consumers.includes('detector'));
    expect(Object.keys(foundation).sort()).toEqual(
      [
        ...detectorKnobs.map(parameterName),
        'LogRetentionDays',
        'AlertEmail',
        'DetectorCodeBucket',
        'DetectorCodeKey',
        'DetectorScheduleExpression',
      ].sort(),
    );
    expect(full.JwtSecretKey).toMatchObject({ NoEcho: true, Default: '' });
  });

  it('passes every gateway knob as its SENTINEL_API_* variable, wires the stack values, and secrets via Secrets', () => {
    const container = resourcesOf('full').GatewayTaskDefinition!.Properties.ContainerDefinitions[0];
    const environment = new Map<string, unknown>(container.Environment.map((e: any) => [e.Name, e.Value]));
    const gatewayKnobs = consumedBy('template').filter((k) => knobFor(k).consumers.includes('gateway'));
    for (const key of gatewayKnobs) {
      if (knobFor(key).secret) expect(environment.has(envName(key))).toBe(false);
      else expect(environment.get(envName(key)), key).toEqual({ Ref: parameterName(key) });
    }
    for (const id of TABLE_IDS) {
      expect(environment.get(envName(TABLES[id].nameKey))).toEqual({ Ref: TABLES[id].logicalId });
    }
    expect(environment.get('SENTINEL_API_TRUSTED_PROXY_HOPS')).toBe('1');
    expect(environment.get('SENTINEL_API_PORT')).toBe('8000');
    expect(JSON.stringify(environment.get('SENTINEL_API_REDIS_URL'))).toContain('rediss://');
    expect(environment.size).toBe(container.Environment.length); // no duplicates
    expect(container.Secrets).toEqual([
      {
        'Fn::If': [
          'HasJwtSecretKey',
          { Name: 'SENTINEL_API_JWT_SECRET_KEY', ValueFrom: { Ref: 'JwtSecretKeySecret' } },
          { Ref: 'AWS::NoValue' },
        ],
      },
      { Name: 'SENTINEL_API_REDIS_AUTH_TOKEN', ValueFrom: { Ref: 'RedisAuthTokenSecret' } },
    ]);
  });

  it('gives Redis an AUTH token generated in Secrets Manager, which only the task execution role reads', () => {
    const r = resourcesOf('full');
    expect(r.RedisAuthTokenSecret).toMatchObject({
      Type: 'AWS::SecretsManager::Secret',
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
    });
    expect(r.RedisAuthTokenSecret!.Properties.SecretString).toBeUndefined();
    expect(r.RedisReplicationGroup!.Properties.AuthToken).toEqual({
      'Fn::Sub': '{{resolve:secretsmanager:${RedisAuthTokenSecret}:SecretString}}',
    });
    const readers = Object.entries(r).filter(([, resource]) =>
      JSON.stringify(resource.Properties?.Policies ?? []).includes('"Ref":"RedisAuthTokenSecret"'),
    );
    expect(readers.map(([id]) => id)).toEqual(['GatewayExecutionRole']);
    const statements = r.GatewayExecutionRole!.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: 'RedisAuthTokenSecret' },
    });
    // Foundation mode has no Redis, and no token.
    expect(resourcesOf('foundation').RedisAuthTokenSecret).toBeUndefined();
  });

  it('gives the detector its knobs, the tables and the topic', () => {
    const variables = resourcesOf('foundation').AnomalyDetectorFunction!.Properties.Environment.Variables;
    for (const key of consumedBy('template').filter((k) => knobFor(k).consumers.includes('detector'))) {
      expect(variables[envName(key)], key).toEqual({ Ref: parameterName(key) });
    }
    expect(variables.SENTINEL_API_ALERT_TOPIC_ARN).toEqual({ Ref: 'AlertTopic' });
    expect(variables.SENTINEL_API_BLOCKLIST_TABLE_NAME).toEqual({ Ref: 'BlocklistTable' });
  });

  it('sets what the issue asks of the Lambda, load balancer and service', () => {
    const r = resourcesOf('full', true);
    expect(r.AnomalyDetectorFunction!.Properties).toMatchObject({
      Runtime: `nodejs${RUNTIME_NODE_MAJOR}.x`,
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      Code: { S3Bucket: { Ref: 'DetectorCodeBucket' }, S3Key: { Ref: 'DetectorCodeKey' } },
    });
    expect(r.DetectorSchedule!.Properties.ScheduleExpression).toEqual({ Ref: 'DetectorScheduleExpression' });
    expect(r.GatewayTargetGroup!.Properties).toMatchObject({
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
    });
    const container = r.GatewayTaskDefinition!.Properties.ContainerDefinitions[0];
    expect(container.StopTimeout).toEqual({ Ref: 'GatewayStopTimeoutSeconds' });
    // The bundle writes nothing to disk (run by hand on a root remounted read-only: it started, served
    // and flushed its telemetry on SIGTERM).
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.HealthCheck.Command.join(' ')).toContain('http://127.0.0.1:8000/health');
    expect(r.GatewayService!.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({
      Enable: true,
      Rollback: true,
    });
    expect(r.GatewayService!.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
    expect(r.GatewayCpuScaling!.Properties.TargetTrackingScalingPolicyConfiguration).toMatchObject({
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
    });
    expect(r.HttpsListener).toMatchObject({ Condition: 'HasCertificateArn' });
    expect(r.HttpsListener!.Properties.SslPolicy).toMatch(/TLS13/);
    expect(Object.values(r).filter((x) => x.Type === 'AWS::EC2::NatGateway')).toEqual([]);
  });

  it('keeps the original output names and adds GatewayUrl and AlertTopicArn', () => {
    const outputs = Object.keys(renderStack('full', configFor(), ASSETS).template.Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'AlbDnsName',
        'EcsClusterName',
        'EcsServiceName',
        'RequestLogsTableName',
        'TrafficAggregateTableName',
        'BlocklistTableName',
        'AnomalyDetectorFunctionName',
        'GatewayUrl',
        'AlertTopicArn',
      ]),
    );
  });

  it('gives clients a GatewayUrl the certificate covers: the domain name when set', () => {
    // Resolves the output as CloudFormation would, for the parts a config decides.
    const gatewayUrl = (env: Record<string, string>, https: boolean) => {
      const rendered = renderStack('full', configFor({ env, https }), ASSETS);
      const params = new Map(rendered.parameters.map((p) => [p.key, p.value]));
      const resolve = (value: any): string => {
        if (value['Fn::If']) {
          const [condition, yes, no] = value['Fn::If'];
          return resolve(evaluateCondition(rendered.template, condition, params) ? yes : no);
        }
        return String(value['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name: string) => params.get(name) ?? `<${name}>`);
      };
      return resolve((rendered.template.Outputs as any).GatewayUrl.Value);
    };
    const domain = { SENTINEL_API_DOMAIN_NAME: 'api.example.com' };
    expect(gatewayUrl({}, false)).toBe('http://<LoadBalancer.DNSName>');
    expect(gatewayUrl({}, true)).toBe('https://<LoadBalancer.DNSName>');
    expect(gatewayUrl(domain, true)).toBe('https://api.example.com');
    expect(gatewayUrl(domain, false)).toBe('http://api.example.com');
  });

  it('refuses a domain name that is a URL or not a DNS name, saying what it wants', () => {
    for (const value of ['https://api.example.com', 'api.example.com/v1', 'API.example.com', 'localhost']) {
      let thrown: unknown;
      try {
        configFor({ env: { SENTINEL_API_DOMAIN_NAME: value } });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, value).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).code).toBe(ErrorCode.ConfigInvalid);
      expect((thrown as ConfigError).issues.map((i) => i.variable)).toEqual(['SENTINEL_API_DOMAIN_NAME']);
    }
  });

  it('lists the stateful types it creates so deploy can refuse their replacement', () => {
    const types = new Set(Object.values(resourcesOf('full')).map((r) => r.Type));
    expect(STATEFUL_RESOURCE_TYPES).toEqual(
      expect.arrayContaining(['AWS::DynamoDB::Table', 'AWS::ElastiCache::ReplicationGroup']),
    );
    for (const type of ['AWS::DynamoDB::Table', 'AWS::ElastiCache::ReplicationGroup']) expect(types.has(type)).toBe(true);
  });

  it('refuses a full render without a gateway image, and an unknown mode', () => {
    const { gatewayImageUri: _, ...foundationAssets } = ASSETS;
    expect(() => renderStack('full', configFor(), foundationAssets)).toThrow(
      expect.objectContaining({ code: ErrorCode.TemplateAssetMissing }),
    );
    expect(renderStack('foundation', configFor(), foundationAssets).parameters.map((p) => p.key)).not.toContain(
      'GatewayImageUri',
    );
    expect(() => renderStack('bogus' as StackMode, configFor(), ASSETS)).toThrow(
      expect.objectContaining({ code: ErrorCode.Usage }),
    );
  });
});

describe('stackResources', () => {
  it('lists what a mode creates, and which conditional resources a config creates', () => {
    const foundation = stackResources('foundation');
    expect(foundation.map((r) => r.logicalId)).toEqual(expect.arrayContaining(['AnomalyDetectorFunction', 'BlocklistTable']));
    expect(foundation.find((r) => r.logicalId === 'AlertEmailSubscription')).toEqual({
      logicalId: 'AlertEmailSubscription',
      type: 'AWS::SNS::Subscription',
      condition: 'HasAlertEmail',
    });
    const plain = stackResources('full', configFor());
    expect(plain.find((r) => r.logicalId === 'HttpsListener')?.created).toBe(false);
    expect(plain.find((r) => r.logicalId === 'JwtSecretKeySecret')?.created).toBe(true);
    expect(plain.find((r) => r.logicalId === 'LoadBalancer')?.created).toBe(true);
    const https = stackResources('full', configFor({ https: true, env: { SENTINEL_API_ALERT_EMAIL: 'a@b.io' } }));
    expect(https.find((r) => r.logicalId === 'HttpsListener')?.created).toBe(true);
    expect(https.find((r) => r.logicalId === 'AlertEmailSubscription')?.created).toBe(true);
    expect(CERTIFICATE_ARN).toMatch(/^arn:aws:acm:/);
  });
});

describe('findTemplatesDir', () => {
  it('finds templates/ beside dist/ from a built chunk, and stops at the first package.json', () => {
    const root = mkdtempSync(join(tmpdir(), 'sentinel-templates-'));
    const pkg = join(root, 'node_modules', 'sentinel-api');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    mkdirSync(join(pkg, 'templates'));
    writeFileSync(join(pkg, 'package.json'), '{}');
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'templates'));
    expect(findTemplatesDir(join(pkg, 'dist'))).toBe(join(pkg, 'templates'));

    const broken = join(root, 'node_modules', 'other');
    mkdirSync(join(broken, 'dist'), { recursive: true });
    writeFileSync(join(broken, 'package.json'), '{}');
    expect(() => findTemplatesDir(join(broken, 'dist'))).toThrow(
      expect.objectContaining({ code: ErrorCode.TemplateNotFound }),
    );
  });
});
