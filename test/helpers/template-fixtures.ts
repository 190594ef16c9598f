// Shared inputs of the template tests: resolved configs per preset and feature, and fixed assets.
import { ConfigError } from '../../core/config/issues';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Preset } from '../../core/config/knob';
import { resolveConfig } from '../../core/config/resolve';
import type { Config } from '../../core/config/schema';
import type { StackAssets } from '../../src/templates';
import { parseCfnYaml } from '../../src/templates/yaml';

export const CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
export const JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

export const ASSETS: StackAssets = {
  detectorCodeBucket: 'sentinelapi-artifacts-123456789012-us-east-1',
  detectorCodeKey: 'detector/0123abcd.zip',
  gatewayImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentinel-gateway@sha256:' + 'a'.repeat(64),
};

export interface ConfigOptions {
  preset?: Preset;
  https?: boolean;
  /** Extra environment (SENTINEL_API_* names). */
  env?: Record<string, string>;
}

export function configFor(options: ConfigOptions = {}): Config {
  const env: Record<string, string> = {
    SENTINEL_API_OPTIMIZE_FOR: options.preset ?? 'cost',
    SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
    SENTINEL_API_JWT_SECRET_KEY: JWT_SECRET,
    ...(options.https ? { SENTINEL_API_CERTIFICATE_ARN: CERTIFICATE_ARN } : {}),
    ...options.env,
  };
  const result = resolveConfig({ env });
  if (result.issues.length > 0) throw new ConfigError(result.issues);
  return result.config.values;
}

export function fixture(name: string): Record<string, unknown> {
  const path = fileURLToPath(new URL(`../fixtures/templates/${name}`, import.meta.url));
  return parseCfnYaml(readFileSync(path, 'utf8'), name);
}
