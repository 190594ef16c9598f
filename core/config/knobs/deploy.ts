// Knobs of the deployed stack: sizing, images and optional features. Those consumed by 'template'
// become CloudFormation parameters (src/templates/parameters.ts derives them; no list is kept there).
import { knob } from '../knob';
import type { ValueType } from '../value-types';
import { enumType, intType, stringType } from '../value-types';

/** The only retention periods CloudWatch Logs accepts; any other number fails the deploy. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate task CPU sizes (CPU units); memory must fit the size, checked by `sentinel validate`. */
export const FARGATE_CPU_UNITS = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;

function oneOfIntType(values: readonly number[]): ValueType<number> {
  const list = values.join(', ');
  return {
    constraint: { kind: 'one-of', values: values.map(String) },
    describe: `one of ${list}`,
    parse(raw) {
      const value = Number(raw.trim());
      return /^\d+$/.test(raw.trim()) && values.includes(value)
        ? { ok: true, value }
        : { ok: false, problem: 'is not an accepted value', hint: `use one of: ${list}` };
    },
    format: (value) => String(value),
  };
}

/**
 * The gateway image's base: the official Node image (the major of RUNTIME_NODE_MAJOR, Debian slim) on the ECR
 * Public Gallery, pinned by the digest of its multi-arch index so every build starts from the same
 * bytes. Bumping this pin (or setting the knob) is how base-image security updates reach a gateway.
 */
export const DEFAULT_GATEWAY_BASE_IMAGE =
  'public.ecr.aws/docker/library/node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df';

/** registry[:port]/repository[:tag][@sha256:digest]; the registry host is always explicit. */
const IMAGE_REFERENCE =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[::1\])(?::\d{1,5})?\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export const deployKnobs = {
  fargateCpu: knob(oneOfIntType(FARGATE_CPU_UNITS), {
    description: 'CPU units per gateway task (256 = 0.25 vCPU).',
    presets: { cost: 256, performance: 1024 },
    consumers: ['template'],
  }),
  fargateMemoryMib: knob(intType({ min: 512, max: 122880 }), {
    description: 'Memory per gateway task in MiB.',
    presets: { cost: 512, performance: 2048 },
    consumers: ['template'],
  }),
  ecsDesiredCount: knob(intType({ min: 0, max: 100 }), {
    description: 'Gateway tasks started by a deploy.',
    presets: { cost: 1, performance: 2 },
    consumers: ['template'],
  }),
  logRetentionDays: knob(oneOfIntType(LOG_RETENTION_DAYS), {
    description: 'CloudWatch Logs retention for the gateway and detector.',
    presets: { cost: 7, performance: 30 },
    consumers: ['template'],
  }),
  taskArchitecture: knob(enumType(['arm64', 'x86_64'] as const), {
    description: 'CPU architecture of gateway tasks (arm64 is cheaper per vCPU).',
    default: 'arm64',
    consumers: ['cli', 'template'],
  }),
  gatewayImageUri: knob(stringType({ maxLength: 1024 }), {
    description:
      'Exact gateway image to run instead of building one in Node (checked to exist, with the task architecture, before deploying).',
    consumers: ['cli'],
  }),
  gatewayBaseImage: knob(
    stringType({
      pattern: IMAGE_REFERENCE,
      maxLength: 512,
      patternHint:
        'registry/repository with a tag or @sha256: digest, e.g. public.ecr.aws/docker/library/node:24-bookworm-slim',
    }),
    {
      description:
        'Base image the gateway image is built on (a multi-arch index or a single manifest, by digest or tag); plain HTTP only for a loopback registry.',
      default: DEFAULT_GATEWAY_BASE_IMAGE,
      consumers: ['cli'],
    },
  ),
  ecsMinCount: knob(intType({ min: 1, max: 100 }), {
    description: 'Fewest gateway tasks CPU autoscaling may scale in to.',
    presets: { cost: 1, performance: 2 },
    consumers: ['template'],
  }),
  ecsMaxCount: knob(intType({ min: 1, max: 100 }), {
    description: 'Most gateway tasks CPU autoscaling may scale out to.',
    presets: { cost: 2, performance: 6 },
    consumers: ['template'],
  }),
  ecsCpuTargetPercent: knob(intType({ min: 10, max: 95 }), {
    description: 'Average CPU utilisation that target-tracking autoscaling keeps the gateway tasks at.',
    presets: { cost: 70, performance: 50 },
    consumers: ['template'],
  }),
  redisNodeType: knob(
    stringType({
      pattern: /^cache\.[a-z0-9]+\.[a-z0-9]+$/,
      patternHint: 'an ElastiCache node type such as cache.t4g.micro',
    }),
    {
      description: 'ElastiCache node type of the rate-limit Redis (full stack).',
      default: 'cache.t4g.micro',
      consumers: ['template'],
    },
  ),
  redisNodeCount: knob(intType({ min: 1, max: 6 }), {
    description:
      'Redis nodes: 1 is a single node; 2 or more adds replicas with automatic failover across zones.',
    presets: { cost: 1, performance: 2 },
    consumers: ['template'],
  }),
  certificateArn: knob(
    stringType({
      pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      patternHint: 'an ACM certificate ARN in the deploy region',
    }),
    {
      description:
        'ACM certificate for an HTTPS listener (TLS 1.2+); when set, plain HTTP is redirected to HTTPS.',
      consumers: ['template'],
      example: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    },
  ),
  domainName: knob(
    stringType({
      pattern: /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
      patternHint: 'a lowercase DNS name such as api.example.com (no scheme, no path)',
    }),
    {
      description:
        'DNS name clients use for the gateway (a CNAME or alias to AlbDnsName that you create; the certificate must cover it); sets the GatewayUrl output.',
      consumers: ['template'],
      example: 'api.example.com',
    },
  ),
  alertEmail: knob(
    stringType({ pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, maxLength: 254, patternHint: 'an email address' }),
    {
      description: 'Email subscribed to the anomaly alert topic (AWS sends a confirmation mail first).',
      consumers: ['template'],
      example: 'security@example.com',
    },
  ),
};
