// Which algorithms a public key may verify (no algorithm confusion).
import { describe, expect, it } from 'vitest';
import { algorithmsForJwk, isVerificationJwk } from '../../../runtime/auth/key-algorithms';

describe('key algorithms', () => {
  it('pairs keys only with algorithms of their family (and their declared alg)', () => {
    expect(algorithmsForJwk({ kty: 'RSA' })).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    expect(algorithmsForJwk({ kty: 'RSA', alg: 'PS256' })).toEqual(['PS256']);
    expect(algorithmsForJwk({ kty: 'EC', crv: 'P-384' })).toEqual(['ES384']);
    expect(algorithmsForJwk({ kty: 'OKP', crv: 'Ed25519' })).toEqual(['EdDSA']);
    expect(algorithmsForJwk({ kty: 'oct', k: 'c2VjcmV0' })).toEqual([]);
    expect(isVerificationJwk({ kty: 'RSA', use: 'enc' })).toBe(false);
    expect(isVerificationJwk({ kty: 'oct', k: 'x' })).toBe(false);
  });
});
