// Cross-field checks that no single knob's type can express. Each is named so a command asks only
// for what it needs (`jwt mint` needs no upstream; the gateway needs an upstream and a JWT source).
import { hmacMinSecretBytes, isHmac } from '../jwt/algorithms';
import type { Consumer } from './knob';
import { envName } from './knob';
import type { ConfigIssue } from './issues';
import { inScope, type Scope } from './scope';
import type { Config } from './schema';

export type Requirement = 'upstream' | 'jwtSource';

/** What each part of the product cannot run without. */
export const REQUIREMENTS_OF: Record<Consumer, readonly Requirement[]> = {
  gateway: ['upstream', 'jwtSource'],
  template: ['upstream', 'jwtSource'],
  detector: [],
  cli: [],
};

export function checkRequirements(
  config: Config,
  required: readonly Requirement[],
  scope: Scope,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (required.includes('upstream') && config.upstreamBaseUrl === undefined) {
    issues.push({
      variable: envName('upstreamBaseUrl'),
      problem: 'is not set',
      hint: 'set it to the base URL of the API to protect, e.g. SENTINEL_API_UPSTREAM_BASE_URL=https://api.example.com',
    });
  }
  if (
    required.includes('jwtSource') &&
    config.jwtSecretKey === undefined &&
    config.jwtPublicKey === undefined &&
    config.jwtJwksUrl === undefined
  ) {
    issues.push({
      variable: `${envName('jwtJwksUrl')} | ${envName('jwtPublicKey')} | ${envName('jwtSecretKey')}`,
      problem: 'are all unset, so the gateway cannot verify any token',
      hint: 'set one of them: a JWKS URL is recommended for an identity provider; `sentinel init` can generate a shared secret',
    });
  }
  if (config.jwtSecretKey !== undefined && inScope('jwtSecretKey', scope)) {
    const hmacAlgorithms = [config.jwtAlgorithm, ...(config.jwtAlgorithms ?? [])].filter(isHmac);
    const needed = Math.max(0, ...hmacAlgorithms.map(hmacMinSecretBytes));
    const length = Buffer.byteLength(config.jwtSecretKey, 'utf8');
    if (length < needed) {
      issues.push({
        variable: envName('jwtSecretKey'),
        problem: `is ${length} bytes, shorter than the ${needed} bytes its HMAC algorithm needs (RFC 7518 section 3.2)`,
        hint: 'use a longer random secret, e.g. `openssl rand -base64 48`',
      });
    }
  }
  if (config.jwtAlgorithms !== undefined && inScope('jwtAlgorithms', scope)) {
    const hasAsymmetricSource = config.jwtPublicKey !== undefined || config.jwtJwksUrl !== undefined;
    for (const alg of config.jwtAlgorithms) {
      const verifiable = isHmac(alg) ? config.jwtSecretKey !== undefined : hasAsymmetricSource;
      if (!verifiable) {
        issues.push({
          variable: envName('jwtAlgorithms'),
          problem: `allows ${alg} but no configured key can verify it`,
          hint: isHmac(alg)
            ? `set ${envName('jwtSecretKey')} or remove ${alg}`
            : `set ${envName('jwtPublicKey')} or ${envName('jwtJwksUrl')}, or remove ${alg}`,
        });
      }
    }
  }
  const headers = config.rateLimitHeaders;
  if (headers.includes('none') && headers.length > 1 && inScope('rateLimitHeaders', scope)) {
    issues.push({
      variable: envName('rateLimitHeaders'),
      problem: `combines none with ${headers.filter((h) => h !== 'none').join(', ')}`,
      hint: 'use none alone for no rate-limit headers, or list only the styles to send, e.g. ietf,legacy',
    });
  }
  return issues;
}

/** 127/8, ::1, localhost: the developer's own machine. */
function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** RFC 1918, link-local, unique-local IPv6 and the names only a private network resolves. */
function isPrivate(host: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
    );
  }
  return /^f[cd][0-9a-f]{2}:/i.test(host) || /^fe80:/i.test(host) || /\.(local|internal|lan)$/i.test(host);
}

/**
 * For a deploy to AWS: an upstream the gateway there cannot reach from its VPC. Warnings, not errors:
 * a private address can be right when the VPC is peered or the API runs in it.
 */
export function deployUpstreamWarnings(config: Pick<Config, 'upstreamBaseUrl'>): ConfigIssue[] {
  if (config.upstreamBaseUrl === undefined) return [];
  const host = new URL(config.upstreamBaseUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopback(host)) {
    return [
      {
        variable: envName('upstreamBaseUrl'),
        problem: `points at a loopback address (${host}), which in AWS is the gateway's own task, not your machine`,
        hint: 'use the public or VPC address of the API to protect; `sentinel dev` is the way to try a local API',
      },
    ];
  }
  if (isPrivate(host)) {
    return [
      {
        variable: envName('upstreamBaseUrl'),
        problem: `is a private address (${host}) that the gateway reaches only if its VPC routes there`,
        hint: 'fine for an API in the same VPC or a peered one; otherwise use its public address',
      },
    ];
  }
  return [];
}
