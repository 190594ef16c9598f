// The canonical user id rule (core/shared/entity.ts) and the header encoding of ids.
import { describe, expect, it } from 'vitest';
import { checkUserId, MAX_USER_ID_LENGTH, parseEntity } from '../../../core/shared/entity';
import { userIdHeaderValue } from '../../../runtime/proxy/headers';

describe('checkUserId', () => {
  it.each([
    ['', 'empty'],
    ['alice ', 'whitespace'],
    [' alice', 'whitespace'],
    ['alice\t', 'whitespace'],
    ['alice\u00a0', 'whitespace'],
    ['alice\u200b', 'invisible'],
    ['a\u2028b', 'invisible'],
    ['a\u2029b', 'invisible'],
    ['a\nb', 'invisible'],
    ['a\u0000b', 'invisible'],
    ['a\u202eb', 'invisible'],
    ['a\ud800b', 'invisible'],
    ['x'.repeat(MAX_USER_ID_LENGTH + 1), 'too_long'],
  ])('refuses %j (%s)', (id, problem) => {
    expect(checkUserId(id)).toEqual({ ok: false, problem });
  });

  it.each(['alice', 'a b', '张伟', 'user@example.com', '100%', 'x'.repeat(MAX_USER_ID_LENGTH), '😀'])(
    'accepts %j unchanged',
    (id) => {
      expect(checkUserId(id)).toEqual({ ok: true, id });
    },
  );

  it('is the rule of user:<id> entities (blocklist add/rm, the allowlist)', () => {
    expect(parseEntity('user:alice ')).toMatchObject({ ok: false });
    expect(parseEntity('user:alice\u200b')).toMatchObject({ ok: false });
    expect(parseEntity('user:张伟')).toEqual({ ok: true, entity: { kind: 'user', id: '张伟' } });
  });
});

describe('userIdHeaderValue', () => {
  it('keeps visible ASCII without % and percent-encodes the UTF-8 of the rest, % included', () => {
    expect(userIdHeaderValue('alice@example.com')).toBe('alice@example.com');
    expect(userIdHeaderValue('100%')).toBe('100%25');
    expect(userIdHeaderValue('a b')).toBe('a%20b');
    expect(userIdHeaderValue('张伟')).toBe('%E5%BC%A0%E4%BC%9F');
    expect(userIdHeaderValue('😀x')).toBe('%F0%9F%98%80x');
    for (const id of ['张伟', '100%', 'a b', 'plain', 'é%20']) {
      expect(decodeURIComponent(userIdHeaderValue(id))).toBe(id);
    }
  });
});
