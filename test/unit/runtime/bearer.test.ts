// Bearer credentials: the scheme, and the shapes refused before any crypto.
import { describe, expect, it } from 'vitest';
import { parseBearer } from '../../../runtime/auth/bearer';

describe('parseBearer', () => {
  it('accepts the Bearer scheme in any case and rejects other shapes early', () => {
    expect(parseBearer('Bearer a.b.c')).toEqual({ ok: true, token: 'a.b.c' });
    expect(parseBearer('bearer  a.b.c ')).toEqual({ ok: true, token: 'a.b.c' });
    expect(parseBearer(undefined)).toEqual({ ok: false, reason: 'missing_token' });
    expect(parseBearer('Basic abc')).toEqual({ ok: false, reason: 'missing_token' });
    expect(parseBearer('Bearer a.b')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseBearer('Bearer a.b.c.d')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseBearer(`Bearer ${'a'.repeat(9000)}.b.c`)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseBearer('Bearer ')).toEqual({ ok: false, reason: 'missing_token' });
    expect(parseBearer('BEARER a.b.c')).toEqual({ ok: true, token: 'a.b.c' });
    expect(parseBearer('Bearerx a.b.c')).toEqual({ ok: false, reason: 'missing_token' });
  });
});
