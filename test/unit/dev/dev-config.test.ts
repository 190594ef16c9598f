// `sentinel dev`'s configuration: what the local stack replaces is said, never silent.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config/load';
import { devConfig } from '../../../src/dev/dev-config';

const facts = {
  port: 8000,
  dynamodbEndpoint: 'http://127.0.0.1:8001',
  tables: { blocklist: 'b', requestLogs: 'l', trafficAggregates: 'a' },
};

describe('devConfig', () => {
  it('warns about each setting of the user it overrides, and only those', () => {
    const resolved = loadConfig({
      scope: 'gateway',
      noEnvFile: true,
      env: {
        SENTINEL_API_UPSTREAM_BASE_URL: 'http://127.0.0.1:9',
        SENTINEL_API_JWT_SECRET_KEY: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
        SENTINEL_API_TRUSTED_PROXY_HOPS: '1',
      },
    });
    const config = devConfig(resolved, facts);
    expect(config.values.trustedProxyHops).toBe(0);
    const overridden = config.warnings.filter((w) => w.problem === 'is overridden by sentinel dev');
    expect(overridden.map((w) => w.variable)).toEqual(['SENTINEL_API_TRUSTED_PROXY_HOPS']);
  });
});
