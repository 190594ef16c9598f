// Knobs every part of the product reads: the preset, the upstream, logging and the AWS region.
import { knob, PRESETS } from '../knob';
import { enumType, regionType, urlType } from '../value-types';

export const coreKnobs = {
  optimizeFor: knob(enumType(PRESETS), {
    description:
      'Preset that supplies defaults for sizing, rate limits and detection; any knob set explicitly wins.',
    default: 'cost',
    consumers: ['cli', 'gateway', 'detector', 'template'],
  }),
  upstreamBaseUrl: knob(urlType({ protocols: ['http:', 'https:'] }), {
    description: 'The API SentinelAPI protects. /proxy/<path> is forwarded to <this URL>/<path>.',
    consumers: ['cli', 'gateway', 'template'],
    legacyAlias: true,
    example: 'https://api.example.com',
  }),
  logLevel: knob(enumType(['debug', 'info', 'warn', 'error'] as const), {
    description: 'Minimum level of the structured logs the gateway and detector write.',
    default: 'info',
    consumers: ['gateway', 'detector', 'template'],
    legacyAlias: true,
  }),
  awsRegion: knob(regionType(), {
    description: 'AWS region to deploy to and to reach DynamoDB in; falls back to the AWS SDK default chain.',
    consumers: ['cli', 'gateway', 'detector'],
    legacyAlias: true,
    example: 'us-east-1',
  }),
};
