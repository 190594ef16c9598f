// The verifier's claim rules: which claim holds the user id, and the canonical id rule applied to it.
import { describe, expect, it } from 'vitest';
import { userIdFrom } from '../../../runtime/auth/verify-claims';

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
