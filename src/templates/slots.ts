// Values the YAML fragments leave to the renderer (`!Generated <name>`): the container and Lambda
// environments and the secret wiring, derived from the config schema so a new knob needs no YAML edit.
import { envName } from '../../core/config/knob';
import type { ConfigKey } from '../../core/config/schema';
import { consumedBy, knobFor, schema } from '../../core/config/schema';
import { RUNTIME_NODE_MAJOR } from '../../core/node-runtime';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { TABLES, TABLE_IDS } from '../../core/shared/tables';
import { gatewaySecretKeys, parameterName } from './parameters';

/** The port the gateway listens on in its container: the gateway's own default, wired explicitly. */
export const GATEWAY_PORT = schema.port.default as number;
/** Liveness route of the gateway (no dependency calls), used by the ALB and the container check. */
export const HEALTH_PATH = '/health';
/** Redis's standard port, used by the replication group and its security group alike. */
export const REDIS_PORT = 6379;
/** Load balancer hops in front of the tasks: the ALB appends exactly one X-Forwarded-For entry. */
export const ALB_PROXY_HOPS = 1;

/** The detector's Lambda runtime: the same Node major as the gateway image. */
export const LAMBDA_RUNTIME = `nodejs${RUNTIME_NODE_MAJOR}.x`;

const ref = (name: string) => ({ Ref: name });

/** Knobs a part reads from the stack: consumed by it and by 'template', secrets excluded. */
function templateKnobsOf(consumer: 'gateway' | 'detector'): ConfigKey[] {
  return consumedBy('template').filter((key) => knobFor(key).consumers.includes(consumer));
}

export const secretLogicalId = (key: ConfigKey) => `${parameterName(key)}Secret`;
export const hasValueCondition = (key: ConfigKey) => `Has${parameterName(key)}`;

function tableNames(): Array<[string, unknown]> {
  return TABLE_IDS.map((id) => [envName(TABLES[id].nameKey), ref(TABLES[id].logicalId)]);
}

/**
 * Secrets the stack generates itself (no parameter carries them) and hands to the gateway tasks:
 * knob -> logical id of the secret in templates/gateway.yaml.
 */
export const STACK_SECRETS: ReadonlyArray<readonly [ConfigKey, string]> = [['redisAuthToken', 'RedisAuthTokenSecret']];

/**
 * Every secret the gateway tasks receive: its knob, the secret's logical id, and the condition it
 * exists under (a secret stored from a parameter only when that parameter is set).
 */
function gatewaySecrets(): Array<{ key: ConfigKey; secret: string; condition?: string }> {
  return [
    ...gatewaySecretKeys().map((key) => ({
      key,
      secret: secretLogicalId(key),
      condition: hasValueCondition(key),
    })),
    ...STACK_SECRETS.map(([key, secret]) => ({ key, secret })),
  ];
}

/** `value`, or under a condition `value` where it holds and nothing where it does not. */
const onlyIf = (condition: string | undefined, value: unknown) =>
  condition ? { 'Fn::If': [condition, value, ref('AWS::NoValue')] } : value;

/** Name -> value pairs of the gateway container environment. */
export function gatewayEnvironment(): Array<[string, unknown]> {
  const knobs = templateKnobsOf('gateway')
    .filter((key) => knobFor(key).secret !== true)
    .map((key): [string, unknown] => [envName(key), ref(parameterName(key))]);
  // Wired by the stack: the TLS endpoint of the Redis it creates (transit encryption is on, hence
  // rediss://), the tables, the ALB hop and the port the target group sends to.
  const wired: Array<[string, unknown]> = [
    ...tableNames(),
    [
      envName('redisUrl'),
      {
        'Fn::Sub':
          'rediss://${RedisReplicationGroup.PrimaryEndPoint.Address}:${RedisReplicationGroup.PrimaryEndPoint.Port}',
      },
    ],
    [envName('trustedProxyHops'), String(ALB_PROXY_HOPS)],
    [envName('port'), String(GATEWAY_PORT)],
    [envName('awsRegion'), ref('AWS::Region')],
  ];
  return [...knobs, ...wired];
}

/** Name -> value pairs of the detector Lambda environment. */
export function detectorEnvironment(): Array<[string, unknown]> {
  const keys = templateKnobsOf('detector');
  const secret = keys.find((key) => knobFor(key).secret === true);
  if (secret) {
    // A Lambda environment is readable by anyone who can read the function configuration.
    throw new SentinelError(
      ErrorCode.TemplateInvalid,
      `${envName(secret)} is secret and read by the detector, which cannot receive secrets yet`,
      { hint: 'Read it from Secrets Manager in the handler, and extend slots.ts to wire the secret ARN.' },
    );
  }
  return [
    ...keys.map((key): [string, unknown] => [envName(key), ref(parameterName(key))]),
    ...tableNames(),
    [envName('alertTopicArn'), ref('AlertTopic')],
    [envName('awsRegion'), ref('AWS::Region')],
  ];
}

/** Everything `!Generated <name>` can stand for. An array in a sequence is spliced into it. */
export const SLOTS: Record<string, () => unknown> = {
  'gateway-port': () => GATEWAY_PORT,
  'redis-port': () => REDIS_PORT,
  'health-path': () => HEALTH_PATH,
  // The image has node but no curl; fetch is global in the image's Node.
  'container-health-command': () => [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${GATEWAY_PORT}${HEALTH_PATH}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`,
  ],
  'gateway-environment': () => gatewayEnvironment().map(([Name, Value]) => ({ Name, Value })),
  'gateway-secrets': () =>
    gatewaySecrets().map(({ key, secret, condition }) =>
      onlyIf(condition, { Name: envName(key), ValueFrom: ref(secret) }),
    ),
  'gateway-secret-statements': () =>
    gatewaySecrets().map(({ secret, condition }) =>
      onlyIf(condition, { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ref(secret) }),
    ),
  'detector-environment': () => Object.fromEntries(detectorEnvironment()),
  'lambda-runtime': () => LAMBDA_RUNTIME,
};
