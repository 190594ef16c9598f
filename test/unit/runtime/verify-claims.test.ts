// The verifier's claim rules: which claim holds the user id, and the canonical id rule applied to it.
import { describe, expect, it } from 'vitest';
import { MAX_TIME_CLAIM, timeClaimProblem, userIdFrom } from '../../../runtime/auth/verify-claims';

describe('userIdFrom', () => {
  it('prefers sub, then user_id, or only the configured claim', () => {
    expect(userIdFrom({ sub: 'a', user_id: 'b' }, undefined)).toEqual({ ok: true, value: 'a' });
    expect(userIdFrom({ user_id: 42 }, undefined)).toEqual({ ok: true, value: '42' });
    expect(userIdFrom({ sub: 'a', email: 'e@x' }, 'email')).toEqual({ ok: true, value: 'e@x' });
    expect(userIdFrom({ sub: 'a' }, 'email').ok).toBe(false);
    expect(userIdFrom({ sub: 'a\nb' }, undefined).ok).toBe(false);
    expect(userIdFrom({ sub: { id: 1 } as unknown as string }, undefined).ok).toBe(false);
  });

  it('applies the canonical id rule', () => {
    expect(userIdFrom({ sub: 'alice ' }, undefined).ok).toBe(false);
    expect(userIdFrom({ sub: 'alice\u200b' }, undefined).ok).toBe(false);
    expect(userIdFrom({ sub: '张伟' }, undefined)).toEqual({ ok: true, value: '张伟' });
  });
});

describe('timeClaimProblem', () => {
  const now = 1_700_000_000;
  it.each([
    [{ exp: 1e300 }],
    [{ exp: -1 }],
    [{ nbf: 1e20 }],
    [{ iat: Number.MAX_VALUE }],
    [{ exp: '1700000100' as unknown as number }],
    [{ iat: now + 31 }],
    [{ iat: now + 3600 }],
  ])('refuses %j', (claims) => {
    expect(timeClaimProblem(claims, now, 30)).toBeDefined();
  });
  it.each([[{}], [{ exp: now + 60, nbf: now, iat: now }], [{ iat: now + 30 }], [{ exp: MAX_TIME_CLAIM }]])(
    'accepts %j',
    (claims) => {
      expect(timeClaimProblem(claims, now, 30)).toBeUndefined();
    },
  );
});
