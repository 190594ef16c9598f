// The parameter sets deploy passes, per mode and preset, secrets redacted: a new or removed
// parameter, or a change to a stack-sizing value, shows up here for review (update with
// `npx vitest run test/unit/templates -u`). Values of gateway and detector knobs are tuned by their
// owners, so the snapshot shows them as `<config>` and a test checks they equal the resolved config.
/* eslint-disable @typescript-eslint/no-explicit-any -- reads untyped template data */
import { describe, expect, it } from 'vitest';
import { deployKnobs } from '../../../core/config/knobs/deploy';
import { REDACTED } from '../../../core/config/redact';
import { knobFor } from '../../../core/config/schema';
import { renderStack, type StackMode } from '../../../src/templates';
import { detectorRunMinute, detectorScheduleExpression } from '../../../src/templates/detector-schedule';
import { ASSETS, CERTIFICATE_ARN, configFor, JWT_SECRET } from '../../helpers/template-fixtures';

const STACK_OWNED = new Set<string>(Object.keys(deployKnobs));

const redacted = (mode: StackMode, preset: 'cost' | 'performance', https = false) =>
  renderStack(mode, configFor({ preset, https }), ASSETS).parameters.map((p) => {
    if (p.secret) return `${p.key}=${REDACTED}`;
    if (p.configKey && !STACK_OWNED.has(p.configKey)) return `${p.key}=<config>`;
    return `${p.key}=${p.value}`;
  });

describe('rendered parameters', () => {
  it.each([
    ['foundation', 'cost'],
    ['foundation', 'performance'],
    ['full', 'cost'],
    ['full', 'performance'],
  ] as const)('%s / %s', (mode, preset) => {
    expect(redacted(mode, preset)).toMatchSnapshot();
  });

  it('passes every knob value as the resolved config formats it', () => {
    for (const preset of ['cost', 'performance'] as const) {
      const config = configFor({ preset });
      for (const p of renderStack('full', config, ASSETS).parameters) {
        if (!p.configKey) continue;
        const value = config[p.configKey];
        expect(p.value, p.key).toBe(value === undefined ? '' : knobFor(p.configKey).type.format(value));
      }
    }
  });

  it('passes the certificate only as a parameter value', () => {
    const plain = redacted('full', 'cost');
    const https = redacted('full', 'cost', true);
    expect(https.filter((line) => !plain.includes(line))).toEqual([
      expect.stringMatching(/^CertificateArn=arn:aws:acm:/),
    ]);
  });

  it('marks the JWT secret secret, keeps its value for CloudFormation only, and maps knobs back', () => {
    const parameters = renderStack('full', configFor(), ASSETS).parameters;
    const secret = parameters.find((p) => p.key === 'JwtSecretKey')!;
    expect(secret).toEqual({ key: 'JwtSecretKey', value: JWT_SECRET, secret: true, configKey: 'jwtSecretKey' });
    expect(parameters.filter((p) => p.secret)).toHaveLength(1);
    expect(parameters.find((p) => p.key === 'GatewayImageUri')).toEqual({
      key: 'GatewayImageUri',
      value: ASSETS.gatewayImageUri,
      secret: false,
    });
    // Unset optional knobs are passed as '' (the gateway reads '' as unset).
    expect(parameters.find((p) => p.key === 'JwtIssuer')?.value).toBe('');
  });

  it('gives the task definition a digest of the secrets that changes with them, and only with them', () => {
    const version = (env: Record<string, string>) =>
      renderStack('full', configFor({ env }), ASSETS).parameters.find((p) => p.key === 'GatewaySecretsVersion')!;
    const rotated = 'another-secret-that-is-at-least-32-bytes!!';
    const first = version({});
    expect(first.secret).toBe(false);
    expect(first.value).toMatch(/^[0-9a-f]{24}$/);
    expect(version({}).value).toBe(first.value);
    expect(version({ SENTINEL_API_JWT_SECRET_KEY: rotated }).value).not.toBe(first.value);
    // Tuning a knob that is not secret leaves the tasks alone.
    expect(version({ SENTINEL_API_RATE_LIMIT_CAPACITY: '7' }).value).toBe(first.value);
    // Without a secret (tokens checked against a JWKS URL) there is nothing to version.
    expect(
      version({ SENTINEL_API_JWT_SECRET_KEY: '', SENTINEL_API_JWT_JWKS_URL: 'https://id.example.com/jwks.json' })
        .value,
    ).toBe('none');

    const { template } = renderStack('full', configFor(), ASSETS);
    const resources = template.Resources as Record<string, { Properties: Record<string, unknown> }>;
    const [container] = resources.GatewayTaskDefinition!.Properties.ContainerDefinitions as Array<
      Record<string, unknown>
    >;
    expect(container!.DockerLabels).toEqual({ 'sentinel-api.secrets-version': { Ref: 'GatewaySecretsVersion' } });
  });

  it("schedules the detector a fixed minute after each bucket ends, once the gateway's flush has written it", () => {
    const schedule = (env: Record<string, string> = {}) =>
      renderStack('foundation', configFor({ env }), ASSETS).parameters.find(
        (p) => p.key === 'DetectorScheduleExpression',
      )!.value;
    // The default 10 s flush: 2 minutes past each boundary (:02, :17, :32, :47).
    expect(schedule()).toBe('cron(2/15 * * * ? *)');
    expect(schedule({ SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '2m' })).toBe('cron(3/15 * * * ? *)');
    // For every flush interval allowed: the flush and a minute for its writes fit before the run, and
    // the run stays inside the bucket after the boundary (the minute field stays 0-14).
    for (let flush = 1; flush <= 300; flush++) {
      const minute = detectorRunMinute(flush);
      expect(minute * 60, `flush ${flush}s`).toBeGreaterThanOrEqual(flush + 60);
      expect(minute).toBeLessThan(15);
      expect(detectorScheduleExpression(flush)).toMatch(/^cron\((\d|1[0-4])\/15 \* \* \* \? \*\)$/);
    }
  });

  it('types each parameter from its knob: numbers with ranges, enums, patterns', () => {
    const declared = renderStack('full', configFor({ https: true }), ASSETS).template.Parameters as Record<
      string,
      Record<string, unknown>
    >;
    expect(declared.RateLimitCapacity).toMatchObject({ Type: 'Number', MinValue: 1, MaxValue: 1_000_000 });
    expect(declared.FargateCpu).toMatchObject({
      Type: 'Number',
      AllowedValues: ['256', '512', '1024', '2048', '4096', '8192', '16384'],
    });
    expect(declared.TaskArchitecture).toMatchObject({ Type: 'String', AllowedValues: ['arm64', 'x86_64'] });
    expect(declared.AnomalyAutoBlock).toMatchObject({ Type: 'String', AllowedValues: ['true', 'false'] });
    expect(declared.ShutdownGraceSeconds).toMatchObject({ Type: 'Number', MinValue: 0, MaxValue: 110 });
    expect(declared.GatewayStopTimeoutSeconds).toMatchObject({ Type: 'Number', MaxValue: 120 });
    // An unset optional value is '': it stays a String, and its pattern admits ''.
    expect(declared.CertificateArn).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(declared.CertificateArn!.AllowedPattern as string);
    expect(pattern.test('')).toBe(true);
    expect(pattern.test(CERTIFICATE_ARN)).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:role/x')).toBe(false);
  });

  it('passes values every declared constraint accepts, for both presets', () => {
    for (const preset of ['cost', 'performance'] as const) {
      const stack = renderStack('full', configFor({ preset, https: true }), ASSETS);
      const declared = stack.template.Parameters as Record<string, Record<string, any>>;
      for (const { key, value } of stack.parameters) {
        const d = declared[key]!;
        if (d.Type === 'Number') expect(Number.isFinite(Number(value)), key).toBe(true);
        if (d.MinValue !== undefined) expect(Number(value), key).toBeGreaterThanOrEqual(d.MinValue);
        if (d.MaxValue !== undefined) expect(Number(value), key).toBeLessThanOrEqual(d.MaxValue);
        if (d.AllowedValues) expect(d.AllowedValues.map(String), key).toContain(value);
        if (d.AllowedPattern) expect(new RegExp(d.AllowedPattern).test(value), key).toBe(true);
      }
    }
  });
});

