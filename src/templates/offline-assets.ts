// Assets for rendering before anything is uploaded or built (`sentinel validate`, `plan --dry-run`):
// names of the right shape, and the gateway image deploy would pick by default.
import type { Config } from '../../core/config/schema';
import type { StackAssets } from './types';

export const PLACEHOLDER_CODE_BUCKET = 'sentinelapi-artifacts-ACCOUNT-REGION';
export const PLACEHOLDER_CODE_KEY = 'detector/SHA256.zip';

export function offlineAssets(config: Config): StackAssets {
  return {
    detectorCodeBucket: PLACEHOLDER_CODE_BUCKET,
    detectorCodeKey: PLACEHOLDER_CODE_KEY,
    gatewayImageUri: config.gatewayImageUri ?? `${config.gatewayImageRepository}:${config.gatewayImageTag}`,
  };
}
