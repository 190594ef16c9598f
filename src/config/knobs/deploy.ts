// Knobs of the deployed stack: sizing, images and optional features. The CLI turns them into
// CloudFormation parameters.
import { VERSION } from '../../version';
import { knob } from '../knob';
import { booleanType, enumType, intType, stringType } from '../value-types';

export const deployKnobs = {
  fargateCpu: knob(intType({ min: 256, max: 16384 }), {
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
  logRetentionDays: knob(intType({ min: 1, max: 3653 }), {
    description: 'CloudWatch Logs retention for the gateway and detector.',
    presets: { cost: 7, performance: 30 },
    consumers: ['template'],
  }),
  taskArchitecture: knob(enumType(['arm64', 'x86_64'] as const), {
    description: 'CPU architecture of gateway tasks (arm64 is cheaper per vCPU).',
    default: 'arm64',
    consumers: ['cli', 'template'],
  }),
  gatewayImageRepository: knob(stringType({ maxLength: 512 }), {
    description: 'Published gateway image repository used when no image is built or given.',
    default: 'public.ecr.aws/sentinelapi/gateway',
    consumers: ['cli'],
  }),
  gatewayImageTag: knob(
    stringType({ pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, patternHint: 'a Docker tag' }),
    {
      description: 'Tag of the published gateway image.',
      default: VERSION,
      consumers: ['cli'],
    },
  ),
  gatewayImageUri: knob(stringType({ maxLength: 1024 }), {
    description: 'Exact gateway image to run (wins over building and the published image).',
    consumers: ['cli'],
  }),
  buildGatewayImage: knob(booleanType(), {
    description: 'Build the gateway image locally with Docker and push it to ECR.',
    default: false,
    consumers: ['cli'],
  }),
};
