// Stack parameters, derived: every knob with the 'template' consumer is a candidate (PascalCase of
// its key), plus the assets deploy produces. A mode declares only the candidates its resources use,
// so the foundation stack never asks for gateway sizing. No parameter list is kept by hand.
import type { ConfigKey, Config } from '../../core/config/schema';
import { consumedBy, knobFor } from '../../core/config/schema';
import type { ValueConstraint } from '../../core/config/value-types';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { detectorScheduleExpression } from './detector-schedule';
import { ecrRepositoryArn } from './image-repository';
import { FARGATE_MAX_STOP_TIMEOUT_SECONDS, stopTimeoutSeconds } from './stop-timeout';
import { secretsVersion } from './secrets-version';
import type { StackAssets, StackMode, StackParameter } from './types';

export interface ParameterDefinition {
  name: string;
  description: string;
  secret: boolean;
  /** Optional inputs are declared with `Default: ''` (unset); the gateway treats '' as unset. */
  optional: boolean;
  configKey?: ConfigKey;
  asset?: keyof StackAssets;
  /** A value computed from the config (not a knob of its own). */
  derive?: (config: Config) => string;
  /** A value computed from the assets deploy produces; skipped without assets (plan's resources). */
  deriveFromAssets?: (assets: StackAssets) => string;
  /** What the value may be; declared on the parameter (from the knob's value type for knobs). */
  constraint?: ValueConstraint;
}

/** `rateLimitCapacity` -> `RateLimitCapacity`. */
export function parameterName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function knobParameter(key: ConfigKey): ParameterDefinition {
  const knob = knobFor(key);
  return {
    name: parameterName(key),
    description: knob.description,
    secret: knob.secret === true,
    optional: knob.default === undefined && knob.presets === undefined,
    configKey: key,
    ...(knob.type.constraint ? { constraint: knob.type.constraint } : {}),
  };
}

const ASSET_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'DetectorCodeBucket',
    description: 'S3 bucket holding the anomaly detector bundle (created by deploy).',
    secret: false,
    optional: false,
    asset: 'detectorCodeBucket',
  },
  {
    name: 'DetectorCodeKey',
    description: 'S3 key of the detector zip (its SHA-256, so unchanged code is not redeployed).',
    secret: false,
    optional: false,
    asset: 'detectorCodeKey',
  },
  {
    name: 'GatewayImageUri',
    description: 'Container image the gateway tasks run.',
    secret: false,
    optional: false,
    asset: 'gatewayImageUri',
  },
];

/** Secret knobs the gateway reads; each gets a Secrets Manager secret (generated-fragments.ts). */
export function gatewaySecretKeys(): ConfigKey[] {
  return consumedBy('template').filter((key) => {
    const knob = knobFor(key);
    return knob.secret === true && knob.consumers.includes('gateway');
  });
}

const DERIVED_PARAMETERS: readonly ParameterDefinition[] = [
  {
    // ECS hands secrets to a task when it starts, and the task definition names only the secret's
    // ARN: a new value alone would leave running tasks on the old one. This digest changes with any
    // gateway secret, and with it the task definition, so the service replaces its tasks.
    name: 'GatewaySecretsVersion',
    description:
      'One-way digest of the gateway secrets (not the secrets): when one changes, the task definition does too and running tasks are replaced.',
    secret: false,
    optional: false,
    derive: (config) => secretsVersion(gatewaySecretKeys().map((key) => config[key])),
  },
  {
    name: 'GatewayStopTimeoutSeconds',
    description:
      'Seconds ECS waits after SIGTERM before SIGKILL: the shutdown grace plus the telemetry flush, at most 120 on Fargate.',
    secret: false,
    optional: false,
    derive: (config) => String(stopTimeoutSeconds(config.shutdownGraceSeconds)),
    constraint: { kind: 'number', min: 2, max: FARGATE_MAX_STOP_TIMEOUT_SECONDS, integer: true },
  },
  {
    // The execution role may pull from this repository only; a public image needs no permission.
    name: 'GatewayImageRepositoryArn',
    description: 'ECR repository of the gateway image, or empty when the image is not in a private ECR registry.',
    secret: false,
    optional: false,
    deriveFromAssets: (assets) => ecrRepositoryArn(assets.gatewayImageUri ?? '') ?? '',
    constraint: {
      kind: 'pattern',
      pattern: /^(arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/[a-z0-9._/-]+)?$/,
      maxLength: 1024,
    },
  },
  {
    name: 'DetectorScheduleExpression',
    description:
      'When the detector runs: every 15 minutes, a fixed minute after each bucket ends (after the gateway has written it).',
    secret: false,
    optional: false,
    derive: (config) => detectorScheduleExpression(config.telemetryFlushSeconds),
  },
];

/** Every parameter a template may declare, schema order first, then assets and derived values. */
export function parameterCandidates(): ParameterDefinition[] {
  return [...consumedBy('template').map(knobParameter), ...ASSET_PARAMETERS, ...DERIVED_PARAMETERS];
}

/** A JavaScript pattern as a CloudFormation AllowedPattern, which must match the whole value. */
function allowedPattern(pattern: RegExp, optional: boolean): string {
  if (pattern.flags !== '') {
    // AllowedPattern has no flags: /i or /u would be silently dropped and the parameter mis-checked.
    throw new SentinelError(ErrorCode.TemplateInvalid, `A knob pattern has flags (/${pattern.source}/${pattern.flags})`, {
      hint: 'Write the pattern without flags (e.g. [A-Za-z] instead of /i) so CloudFormation can check it too.',
    });
  }
  const source = pattern.source;
  return optional ? `^$|${source}` : source;
}

/**
 * Type and limits of one parameter, from its constraint. A Number parameter cannot default to '',
 * so an optional numeric one stays a String limited by a pattern.
 */
function typing(definition: ParameterDefinition): Record<string, unknown> {
  const { constraint, optional } = definition;
  if (!constraint) return { Type: 'String' };
  switch (constraint.kind) {
    case 'number':
      return optional
        ? { Type: 'String', AllowedPattern: constraint.integer ? '^$|^-?\\d+$' : '^$|^-?\\d+(\\.\\d+)?$' }
        : { Type: 'Number', MinValue: constraint.min, MaxValue: constraint.max };
    case 'one-of': {
      const numeric = !optional && constraint.values.every((v) => /^\d+$/.test(v));
      return {
        Type: numeric ? 'Number' : 'String',
        AllowedValues: optional ? ['', ...constraint.values] : [...constraint.values],
      };
    }
    case 'pattern':
      return {
        Type: 'String',
        AllowedPattern: allowedPattern(constraint.pattern, optional),
        MaxLength: constraint.maxLength,
      };
    case 'text':
      return { Type: 'String', MaxLength: constraint.maxLength };
  }
}

/** The CloudFormation `Parameters` section for the candidates a template references. */
export function declareParameters(referenced: ReadonlySet<string>): Record<string, unknown> {
  const declared: Record<string, unknown> = {};
  for (const definition of parameterCandidates()) {
    if (!referenced.has(definition.name)) continue;
    declared[definition.name] = {
      ...typing(definition),
      Description: definition.description,
      ...(definition.optional ? { Default: '' } : {}),
      ...(definition.secret ? { NoEcho: true } : {}),
    };
  }
  return declared;
}

function assetValue(definition: ParameterDefinition, assets: StackAssets, mode: StackMode): string {
  const value = assets[definition.asset!];
  if (value === undefined || value === '') {
    throw new SentinelError(
      ErrorCode.TemplateAssetMissing,
      `The ${mode} stack needs ${definition.asset} (parameter ${definition.name})`,
      { hint: 'Pass it in the assets given to renderStack; deploy sets it after uploading or building.' },
    );
  }
  return value;
}

/** Values for the declared parameters: every one is passed, '' for an unset optional knob. */
export function parameterValues(
  declared: Record<string, unknown>,
  mode: StackMode,
  config: Config,
  assets: StackAssets | undefined,
): StackParameter[] {
  const out: StackParameter[] = [];
  for (const definition of parameterCandidates()) {
    if (!(definition.name in declared)) continue;
    if (definition.configKey) {
      const value = config[definition.configKey];
      out.push({
        key: definition.name,
        value: value === undefined ? '' : knobFor(definition.configKey).type.format(value),
        secret: definition.secret,
        configKey: definition.configKey,
      });
    } else if (definition.derive) {
      out.push({ key: definition.name, value: definition.derive(config), secret: false });
    } else if (definition.deriveFromAssets) {
      if (assets) out.push({ key: definition.name, value: definition.deriveFromAssets(assets), secret: false });
    } else if (assets) {
      out.push({ key: definition.name, value: assetValue(definition, assets, mode), secret: false });
    }
  }
  return out;
}
