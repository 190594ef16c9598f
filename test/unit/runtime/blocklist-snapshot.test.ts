// The blocklist snapshot: active blocks only, expiry checked at lookup time.
import { describe, expect, it } from 'vitest';
import type { BlockRecord } from '../../../core/shared/block-record';
import { BlocklistSnapshot } from '../../../runtime/blocklist/snapshot';

const block = (id: string, expiresAt: number, kind: 'user' | 'ip' = 'user'): BlockRecord => ({
  entity: { kind, id },
  action: 'block',
  reason: 'r',
  blockedAt: 0,
  expiresAt,
  source: 'detector',
  strikes: 1,
});

describe('BlocklistSnapshot', () => {
  it('holds active blocks only and checks expiry at lookup time', () => {
    const snapshot = new BlocklistSnapshot(
      [block('a', 100), block('gone', 5), block('10.0.0.1', 100, 'ip')],
      10_000,
    );
    expect(snapshot.size).toBe(2);
    expect(snapshot.lookup({ kind: 'user', id: 'a' }, 50_000)?.reason).toBe('r');
    expect(snapshot.lookup({ kind: 'user', id: 'a' }, 100_000)).toBeUndefined();
    expect(snapshot.lookupKey('IP#10.0.0.1', 50_000)).toBeDefined();
    expect(snapshot.lookupKey('USER#gone', 1_000)).toBeUndefined();
  });
});
