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
      problem: 'none is set',
      hint: 'set at least one JWT verification source (a JWKS URL is recommended; `sentinel init` can generate a secret)',
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
