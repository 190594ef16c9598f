// `sentinel validate` catches what cfn-lint's value checks catch: each breakage below is made on
// the rendered full stack, and the validator must report it under its rule (and the untouched
// stack must stay clean, so every issue is the breakage's).
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests reach into untyped template data */
import { describe, expect, it } from 'vitest';
import { renderStack, validateTemplate, type RenderedStack, type TemplateIssue } from '../../../src/templates';
import { judgeRuntime } from '../../../src/templates/validate/lambda-runtimes';
import { isCidr } from '../../../src/templates/validate/property-rules';
import { ASSETS, configFor } from '../../helpers/template-fixtures';

const NOW = () => new Date('2026-12-01T00:00:00Z');

function mutated(mutate: (template: any, stack: RenderedStack) => void): TemplateIssue[] {
  const stack = renderStack('full', configFor({ https: true }), ASSETS);
  mutate(stack.template, stack);
  return validateTemplate({
    name: 'full',
    template: stack.template,
    parameters: stack.parameters,
    body: JSON.stringify(stack.template),
    now: NOW,
  });
}

const R = (t: any) => t.Resources;
const lambda = (t: any) => R(t).AnomalyDetectorFunction.Properties;
const task = (t: any) => R(t).GatewayTaskDefinition.Properties;

describe('value checks', () => {
  it('finds nothing on the untouched stack', () => {
    expect(mutated(() => {})).toEqual([]);
  });

  it.each<[string, TemplateIssue['rule'], string, (t: any, s: RenderedStack) => void]>([
    // The breakages of issue 24, item 9.
    ['a string for an integer property', 'spec-wrong-type', 'AnomalyDetectorFunction', (t) => (lambda(t).MemorySize = 'large')],
    [
      'an unknown intrinsic',
      'intrinsic-unknown',
      'DetectorLogGroup',
      (t) => (R(t).DetectorLogGroup.Properties.RetentionInDays = { 'Fn::Joinn': ['', ['7']] }),
    ],
    ['an unknown runtime', 'lambda-runtime', 'AnomalyDetectorFunction', (t) => (lambda(t).Runtime = 'nodejs99.x')],
    ['a deprecated runtime', 'lambda-runtime', 'AnomalyDetectorFunction', (t) => (lambda(t).Runtime = 'nodejs16.x')],
    ['Lambda memory 64 MB', 'value-out-of-range', 'AnomalyDetectorFunction', (t) => (lambda(t).MemorySize = 64)],
    ['Lambda timeout 1200 s', 'value-out-of-range', 'AnomalyDetectorFunction', (t) => (lambda(t).Timeout = 1200)],
    ['a /33 CIDR', 'value-pattern', 'Vpc', (t) => (R(t).Vpc.Properties.CidrBlock = '10.0.0.0/33')],
    [
      "Fargate CPU '300'",
      'fargate-size',
      'GatewayTaskDefinition',
      (t) => {
        task(t).Cpu = '300';
        task(t).Memory = '1024';
      },
    ],
    // Enums, ranges and patterns of the table, and a boolean.
    ['an unknown architecture', 'value-not-allowed', 'AnomalyDetectorFunction', (t) => (lambda(t).Architectures = ['arm65'])],
    [
      'a log retention CloudWatch has not (an enum the AWS spec carries)',
      'spec-value-not-allowed',
      'DetectorLogGroup',
      (t) => (R(t).DetectorLogGroup.Properties.RetentionInDays = 8),
    ],
    [
      'a stop timeout over Fargate cap',
      'value-out-of-range',
      'GatewayTaskDefinition',
      (t) => (task(t).ContainerDefinitions[0].StopTimeout = 300),
    ],
    [
      'a security-group CIDR with an octet over 255',
      'value-pattern',
      'AlbSecurityGroup',
      (t) => (R(t).AlbSecurityGroup.Properties.SecurityGroupIngress[0].CidrIp = '0.0.0.256/0'),
    ],
    [
      'a malformed schedule',
      'value-pattern',
      'DetectorSchedule',
      (t) => (R(t).DetectorSchedule.Properties.ScheduleExpression = 'every 15 minutes'),
    ],
    ['a word for a boolean', 'spec-wrong-type', 'Vpc', (t) => (R(t).Vpc.Properties.EnableDnsSupport = 'yes')],
    [
      'an alarm period CloudWatch refuses',
      'value-pattern',
      'DetectorErrorsAlarm',
      (t) => (R(t).DetectorErrorsAlarm.Properties.Period = 45),
    ],
    [
      'a branch of Fn::If out of range',
      'value-out-of-range',
      'GatewayService',
      (t) =>
        (R(t).GatewayService.Properties.DeploymentConfiguration.MaximumPercent = {
          'Fn::If': ['HasCertificateArn', 200, 250],
        }),
    ],
  ])('%s -> %s', (_name, rule, logicalId, mutate) => {
    // Replacing a Ref leaves its parameter unused: that issue is expected alongside.
    const issues = mutated(mutate).filter((i) => i.rule !== 'parameter-unused');
    expect(issues.length, JSON.stringify(issues, null, 2)).toBeGreaterThan(0);
    expect(issues.every((i) => i.rule === rule && i.logicalId === logicalId), JSON.stringify(issues, null, 2)).toBe(true);
  });

  it.each<[string, (s: RenderedStack) => void]>([
    ['a number parameter given text', (s) => (s.parameters.find((p) => p.key === 'RateLimitCapacity')!.value = 'many')],
    ['a value above MaxValue', (s) => (s.parameters.find((p) => p.key === 'EcsCpuTargetPercent')!.value = '99')],
    ['a value outside AllowedValues', (s) => (s.parameters.find((p) => p.key === 'TaskArchitecture')!.value = 'mips')],
    ['a value against AllowedPattern', (s) => (s.parameters.find((p) => p.key === 'RedisNodeType')!.value = 't4g.micro')],
  ])('%s -> parameter-value', (_name, mutate) => {
    const issues = mutated((_t, s) => mutate(s));
    expect(issues.map((i) => i.rule)).toEqual(['parameter-value']);
  });

  it('judges runtimes by the date: nodejs22.x is fine until its deprecation', () => {
    expect(judgeRuntime('nodejs22.x', new Date('2027-04-29T00:00:00Z')).kind).toBe('ok');
    expect(judgeRuntime('nodejs22.x', new Date('2027-04-30T00:00:00Z'))).toMatchObject({
      kind: 'deprecated',
      blockCreate: '2027-06-01',
    });
    expect(judgeRuntime('python3.12', NOW()).kind).toBe('ok');
  });

  it('reads CIDR blocks of both families', () => {
    expect(isCidr('10.0.0.0/16', 4)).toBe(true);
    expect(isCidr('10.0.0.0/33', 4)).toBe(false);
    expect(isCidr('10.0.0/16', 4)).toBe(false);
    expect(isCidr('2001:db8::/32', 6)).toBe(true);
    expect(isCidr('2001:db8::/129', 6)).toBe(false);
  });
});
