// Assets for rendering before anything is uploaded or built (`sentinel validate`, `plan --dry-run`):
// names of the right shape, and where deploy would push the gateway image it builds.
import type { Config } from '../../core/config/schema';
import type { StackAssets } from './types';

export const PLACEHOLDER_CODE_BUCKET = 'sentinelapi-artifacts-ACCOUNT-REGION';
export const PLACEHOLDER_CODE_KEY = 'detector/SHA256.zip';
/** Deploy builds the gateway image in Node and pushes it to the stack's ECR repository. */
export const PLACEHOLDER_GATEWAY_IMAGE = 'ACCOUNT.dkr.ecr.REGION.amazonaws.com/STACK-gateway:CONTENT-HASH';

export function offlineAssets(config: Config): StackAssets {
  return {
    detectorCodeBucket: PLACEHOLDER_CODE_BUCKET,
    detectorCodeKey: PLACEHOLDER_CODE_KEY,
    gatewayImageUri: config.gatewayImageUri ?? PLACEHOLDER_GATEWAY_IMAGE,
  };
}
