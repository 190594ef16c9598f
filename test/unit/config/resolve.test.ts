import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/config/issues';
import { envName, bareEnvName } from '../../../core/config/knob';
import { loadConfig } from '../../../core/config/load';
import { configRows, REDACTED, redactedValues } from '../../../core/config/redact';
import { resolveConfig } from '../../../core/config/resolve';
import { CONFIG_KEYS, keyForEnvName } from '../../../core/config/schema';
import type { RawSources } from '../../../core/config/sources';

const SECRET = 'a-very-long-shared-secret-of-at-least-32-bytes!';
const dotenv = (values: Record<string, string>) => ({ file: '.env', values });

function resolve(sources: Partial<RawSources>, options: Parameters<typeof resolveConfig>[1] = {}) {
  return resolveConfig({ env: {}, ...sources }, options);
}

describe('precedence', () => {
  const name = envName('rateLimitCapacity');

  it('explicit > env > .env > preset > default, and records the source', () => {
    const all = { explicit: { rateLimitCapacity: 5 }, env: { [name]: '6' }, dotenv: dotenv({ [name]: '7' }) };
    const r1 = resolve(all);
    expect(r1.config.values.rateLimitCapacity).toBe(5);
    expect(r1.config.sources.rateLimitCapacity).toEqual({ kind: 'explicit', name: 'argument' });

    const r2 = resolve({ ...all, explicit: {} });
    expect(r2.config.values.rateLimitCapacity).toBe(6);
    expect(r2.config.sources.rateLimitCapacity).toMatchObject({ kind: 'env', name, alias: false });

    const r3 = resolve({ dotenv: all.dotenv });
    expect(r3.config.values.rateLimitCapacity).toBe(7);
    expect(r3.config.sources.rateLimitCapacity).toMatchObject({ kind: 'dotenv', file: '.env' });

    const r4 = resolve({});
    expect(r4.config.values.rateLimitCapacity).toBe(100);
    expect(r4.config.sources.rateLimitCapacity).toEqual({ kind: 'preset', preset: 'cost' });

    const r5 = resolve({});
    expect(r5.config.values.port).toBe(8000);
    expect(r5.config.sources.port).toEqual({ kind: 'default' });
    expect(r5.config.sources.upstreamBaseUrl).toEqual({ kind: 'unset' });
  });

  it('treats empty strings as unset at every level', () => {
    const r = resolve({
      explicit: { rateLimitCapacity: '' },
      env: { [name]: '' },
      dotenv: dotenv({ [name]: '9' }),
    });
    expect(r.config.values.rateLimitCapacity).toBe(9);
  });

  it('selects preset values with OPTIMIZE_FOR, from any source, and explicit knobs still win', () => {
    const perf = resolve({ dotenv: dotenv({ [envName('optimizeFor')]: 'performance' }) });
    expect(perf.config.preset).toBe('performance');
    expect(perf.config.values.rateLimitCapacity).toBe(300);
    expect(perf.config.values.fargateCpu).toBe(1024);
    expect(perf.config.values.anomalyThreshold).toBe(5);
    const mixed = resolve({ env: { [envName('optimizeFor')]: 'PERFORMANCE', [name]: '42' } });
    expect(mixed.config.values.rateLimitCapacity).toBe(42);
    expect(mixed.config.values.rateLimitRefillRate).toBe(5);
  });

  it('matches the original preset table', () => {
    const cost = resolve({}).config.values;
    expect([cost.fargateCpu, cost.fargateMemoryMib, cost.ecsDesiredCount, cost.logRetentionDays]).toEqual([
      256, 512, 1, 7,
    ]);
    expect([cost.requestTimeoutSeconds, cost.rateLimitCapacity, cost.rateLimitRefillRate]).toEqual([
      10, 100, 1,
    ]);
    expect([
      cost.anomalyThreshold,
      cost.anomalyMinRequests,
      cost.anomalyAutoBlock,
      cost.anomalyAutoBlockTtlSeconds,
    ]).toEqual([8, 40, true, 3600]);
    expect(cost.jwtAlgorithm).toBe('HS256');
    const perf = resolve({ explicit: { optimizeFor: 'performance' } }).config.values;
    expect([perf.fargateCpu, perf.fargateMemoryMib, perf.ecsDesiredCount, perf.logRetentionDays]).toEqual([
      1024, 2048, 2, 30,
    ]);
    expect([perf.requestTimeoutSeconds, perf.rateLimitCapacity, perf.rateLimitRefillRate]).toEqual([
      8, 300, 5,
    ]);
    expect([perf.anomalyThreshold, perf.anomalyMinRequests]).toEqual([5, 60]);
  });
});

describe('legacy aliases', () => {
  it('accepts the bare name below the prefixed one at each level', () => {
    const bare = resolve({ env: { UPSTREAM_BASE_URL: 'https://legacy.example.com' } });
    expect(bare.config.values.upstreamBaseUrl).toBe('https://legacy.example.com');
    expect(bare.config.sources.upstreamBaseUrl).toMatchObject({
      kind: 'env',
      name: 'UPSTREAM_BASE_URL',
      alias: true,
    });

    const both = resolve({
      env: {
        UPSTREAM_BASE_URL: 'https://legacy.example.com',
        SENTINEL_API_UPSTREAM_BASE_URL: 'https://new.example.com',
      },
    });
    expect(both.config.values.upstreamBaseUrl).toBe('https://new.example.com');

    // Source order dominates: a bare name in the environment beats a prefixed one in .env.
    const mixed = resolve({
      env: { UPSTREAM_BASE_URL: 'https://env.example.com' },
      dotenv: dotenv({ SENTINEL_API_UPSTREAM_BASE_URL: 'https://file.example.com' }),
    });
    expect(mixed.config.values.upstreamBaseUrl).toBe('https://env.example.com');
  });

  it('does not read bare names for knobs without an alias', () => {
    expect(resolve({ env: { RATE_LIMIT_CAPACITY: '5' } }).config.values.rateLimitCapacity).toBe(100);
  });
});

describe('validation', () => {
  it('reports every problem at once, naming the variable and the fix', () => {
    const r = resolve(
      {
        env: {
          [envName('optimizeFor')]: 'fast',
          [envName('rateLimitCapacity')]: 'lots',
          [envName('rateLimitRefillRate')]: '-1',
          [envName('port')]: '70000',
          [envName('anomalyAutoBlock')]: 'maybe',
        },
      },
      { require: ['upstream', 'jwtSource'] },
    );
    const variables = r.issues.map((i) => i.variable);
    expect(variables).toEqual(
      expect.arrayContaining([
        envName('optimizeFor'),
        envName('rateLimitCapacity'),
        envName('rateLimitRefillRate'),
        envName('port'),
        envName('anomalyAutoBlock'),
        envName('upstreamBaseUrl'),
        expect.stringContaining(envName('jwtJwksUrl')),
      ]),
    );
    expect(r.issues).toHaveLength(7);
    for (const issue of r.issues) expect(issue.hint.length).toBeGreaterThan(5);
    // A bad preset is an error, never a silent fallback, but the rest still resolves on the default.
    expect(r.issues.find((i) => i.variable === envName('optimizeFor'))?.problem).toContain('"fast"');
    expect(r.config.preset).toBe('cost');
  });

  it.each([
    ['ftp://example.com', 'uses ftp'],
    ['not a url', 'is not a valid URL'],
    ['https://user:pw@example.com', 'contains credentials'],
  ])('rejects upstream %s', (value, problem) => {
    const r = resolve({ env: { [envName('upstreamBaseUrl')]: value } });
    expect(r.issues[0]?.problem).toContain(problem);
  });

  it('normalises the upstream URL without a trailing slash', () => {
    expect(
      resolve({ env: { UPSTREAM_BASE_URL: 'https://api.example.com/v1/' } }).config.values.upstreamBaseUrl,
    ).toBe('https://api.example.com/v1');
  });

  it('requires https for a JWKS URL except on loopback', () => {
    const bad = resolve({ env: { [envName('jwtJwksUrl')]: 'http://idp.example.com/jwks' } });
    expect(bad.issues[0]).toMatchObject({
      variable: envName('jwtJwksUrl'),
      problem: expect.stringContaining('https'),
    });
    for (const url of [
      'http://127.0.0.1:9000/jwks',
      'http://localhost/jwks',
      'http://[::1]:80/jwks',
      'https://idp.example.com/jwks',
    ]) {
      expect(resolve({ env: { [envName('jwtJwksUrl')]: url } }).issues).toEqual([]);
    }
  });

  it('checks the HMAC secret length against the algorithm (RFC 7518 3.2) without echoing it', () => {
    const short = 'x'.repeat(40);
    const r = resolve({ env: { [envName('jwtSecretKey')]: short, [envName('jwtAlgorithm')]: 'HS512' } });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]?.problem).toContain('64 bytes');
    expect(JSON.stringify(r.issues)).not.toContain(short);
  });

  it('never echoes a secret value in a type error', () => {
    const secret = 'y'.repeat(5000);
    const r = resolve({ env: { [envName('jwtSecretKey')]: secret } });
    expect(r.issues[0]?.variable).toBe(envName('jwtSecretKey'));
    expect(JSON.stringify(r.issues)).not.toContain('yyyy');
  });

  it('rejects private keys and malformed PEM for the public key', () => {
    const priv = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----';
    expect(resolve({ env: { [envName('jwtPublicKey')]: priv } }).issues[0]?.problem).toContain('private key');
    expect(resolve({ env: { [envName('jwtPublicKey')]: 'hello' } }).issues[0]?.problem).toContain('PEM');
    expect(
      resolve({ env: { [envName('jwtPublicKey')]: '{"kty":"OKP","crv":"Ed25519","x":"abc","d":"x"}' } })
        .issues[0]?.problem,
    ).toContain('private JWK');
    const escaped = '-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA\\n-----END PUBLIC KEY-----';
    expect(resolve({ env: { [envName('jwtPublicKey')]: escaped } }).config.values.jwtPublicKey).toContain(
      '\n',
    );
  });

  it('reads rate-limit header styles as a list and refuses none combined with another', () => {
    const ok = resolve({ env: { [envName('rateLimitHeaders')]: 'IETF, legacy' } });
    expect(ok.issues).toEqual([]);
    expect(ok.config.values.rateLimitHeaders).toEqual(['ietf', 'legacy']);
    expect(resolve({ env: {} }).config.values.rateLimitHeaders).toEqual(['legacy']);
    const mixed = resolve({ env: { [envName('rateLimitHeaders')]: 'none,ietf' } }).issues;
    expect(mixed).toEqual([
      expect.objectContaining({
        variable: 'SENTINEL_API_RATE_LIMIT_HEADERS',
        problem: 'combines none with ietf',
      }),
    ]);
    const unknown = resolve({ env: { [envName('rateLimitHeaders')]: 'legacy,github' } }).issues;
    expect(unknown[0]).toMatchObject({ variable: 'SENTINEL_API_RATE_LIMIT_HEADERS' });
    expect(unknown[0]!.problem).toContain('item 2');
  });

  it('flags allowlisted algorithms that no configured key can verify', () => {
    const r = resolve({
      env: { [envName('jwtAlgorithms')]: 'RS256,HS256', [envName('jwtSecretKey')]: SECRET },
    });
    expect(r.issues.map((i) => i.problem)).toEqual([expect.stringContaining('RS256')]);
  });

  it('parses durations with units and lists', () => {
    const r = resolve({
      env: {
        [envName('jwtJwksCacheTtlSeconds')]: '15m',
        [envName('anomalyAllowlist')]: 'user:ops, ip:10.0.0.0/8 ,',
      },
    });
    expect(r.config.values.jwtJwksCacheTtlSeconds).toBe(900);
    expect(r.config.values.anomalyAllowlist).toEqual(['user:ops', 'ip:10.0.0.0/8']);
  });
});

describe('scope', () => {
  it('validates out-of-scope knobs only as warnings and falls back', () => {
    const env = { [envName('fargateCpu')]: 'huge', [envName('jwtSecretKey')]: SECRET };
    const r = resolve({ env }, { scope: 'cli' });
    expect(r.issues).toEqual([]);
    expect(r.config.warnings.map((w) => w.variable)).toContain(envName('fargateCpu'));
    expect(r.config.values.fargateCpu).toBe(256);
    expect(resolve({ env }, { scope: 'template' }).issues.map((i) => i.variable)).toEqual([
      envName('fargateCpu'),
    ]);
  });

  it('enforces requirements only when asked (jwt mint needs no upstream)', () => {
    expect(resolve({}, { scope: 'cli' }).issues).toEqual([]);
    expect(resolve({}, { require: ['upstream'] }).issues.map((i) => i.variable)).toEqual([
      envName('upstreamBaseUrl'),
    ]);
  });
});

describe('unknown variables', () => {
  it('warns about misspelt SENTINEL_API_ names with a suggestion', () => {
    const r = resolve({ dotenv: dotenv({ SENTINEL_API_RATE_LIMT_CAPACITY: '5' }) });
    expect(r.config.warnings).toEqual([
      expect.objectContaining({
        variable: 'SENTINEL_API_RATE_LIMT_CAPACITY',
        hint: `did you mean ${envName('rateLimitCapacity')}?`,
      }),
    ]);
  });
});

describe('redaction', () => {
  it('shows secrets as set but never their value', () => {
    const { config } = resolve({ env: { [envName('jwtSecretKey')]: SECRET } });
    const row = configRows(config).find((r) => r.key === 'jwtSecretKey');
    expect(row).toMatchObject({ value: REDACTED, secret: true, source: 'environment' });
    expect(JSON.stringify(configRows(config))).not.toContain(SECRET);
    expect(redactedValues(config).jwtSecretKey).toBe(REDACTED);
    expect(redactedValues(config).rateLimitCapacity).toBe(100);
  });
});

describe('schema', () => {
  it('derives one env name per key and maps it back', () => {
    expect(envName('upstreamBaseUrl')).toBe('SENTINEL_API_UPSTREAM_BASE_URL');
    expect(bareEnvName('jwtJwksCacheTtlSeconds')).toBe('JWT_JWKS_CACHE_TTL_SECONDS');
    for (const key of CONFIG_KEYS) expect(keyForEnvName(envName(key))).toBe(key);
    expect(new Set(CONFIG_KEYS.map(envName)).size).toBe(CONFIG_KEYS.length);
  });
});

describe('loadConfig', () => {
  it('throws one ConfigError with every issue and exit code 2', () => {
    try {
      loadConfig({ env: { [envName('port')]: 'x' }, noEnvFile: true, scope: 'gateway' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.exitCode).toBe(2);
      expect(configError.code).toBe('ERR_CONFIG_INVALID');
      expect(configError.issues.map((i) => i.variable)).toEqual([
        envName('port'),
        envName('upstreamBaseUrl'),
        expect.stringContaining('JWT'),
      ]);
    }
  });

  it('fails clearly when a named env file is missing', () => {
    expect(() => loadConfig({ env: {}, envFile: '/nonexistent/.env' })).toThrow(
      expect.objectContaining({ code: 'ERR_ENV_FILE_UNREADABLE', exitCode: 2 }),
    );
  });
});
