// JWT verification knobs. At least one verification source (secret, public key, JWKS URL) is
// required wherever the gateway runs; see rules.ts.
import { knob } from '../knob';
import {
  booleanType,
  durationType,
  exactEnumType,
  listType,
  publicKeyType,
  stringType,
  urlType,
} from '../value-types';
import { JWT_ALGORITHMS } from '../../jwt/algorithms';

const algorithm = exactEnumType(JWT_ALGORITHMS);

export const authKnobs = {
  jwtSecretKey: knob(stringType({ maxLength: 4096 }), {
    description:
      'Shared secret for HS256/384/512 tokens: at least 32/48/64 bytes (generate one: openssl rand -base64 48).',
    secret: true,
    consumers: ['cli', 'gateway', 'template'],
  }),
  jwtPublicKey: knob(publicKeyType(), {
    description: 'Static public key (PEM or JWK) for RS*/PS*/ES*/EdDSA tokens.',
    consumers: ['gateway', 'template'],
  }),
  jwtJwksUrl: knob(urlType({ protocols: ['http:', 'https:'], httpsUnlessLoopback: true }), {
    description: "JWKS endpoint of your identity provider; the token's kid selects the key (recommended).",
    consumers: ['gateway', 'template'],
    example: 'https://YOUR_TENANT.auth0.com/.well-known/jwks.json',
  }),
  jwtJwksCacheTtlSeconds: knob(durationType({ min: 10, max: 86400 }), {
    description: 'How long fetched JWKS keys are cached before a refetch.',
    default: 300,
    consumers: ['gateway', 'template'],
  }),
  jwtIssuer: knob(stringType({ maxLength: 1024 }), {
    description: 'Required `iss` claim (checked when set; also put into minted tokens).',
    consumers: ['cli', 'gateway', 'template'],
  }),
  jwtAudience: knob(stringType({ maxLength: 1024 }), {
    description: 'Required `aud` claim (checked when set; also put into minted tokens).',
    consumers: ['cli', 'gateway', 'template'],
  }),
  jwtAlgorithm: knob(algorithm, {
    description: 'Algorithm used with the shared secret, and by `sentinel jwt mint` by default.',
    presets: { cost: 'HS256', performance: 'HS256' },
    consumers: ['cli', 'gateway', 'template'],
  }),
  jwtAlgorithms: knob(listType(algorithm), {
    description: 'Explicit allowlist of accepted algorithms; by default derived from the configured keys.',
    consumers: ['gateway', 'template'],
  }),
  jwtClockSkewSeconds: knob(durationType({ min: 0, max: 300 }), {
    description: 'Clock skew tolerated when checking exp and nbf.',
    default: 30,
    consumers: ['gateway', 'template'],
  }),
  jwtUserIdClaim: knob(stringType({ pattern: /^[A-Za-z0-9_:.\-/]+$/, patternHint: 'a claim name' }), {
    description: 'Claim that holds the user id; by default `sub`, else `user_id`.',
    consumers: ['gateway', 'template'],
  }),
  jwtRequireExp: knob(booleanType(), {
    description: 'Reject tokens without an `exp` claim.',
    default: true,
    consumers: ['gateway', 'template'],
  }),
};
