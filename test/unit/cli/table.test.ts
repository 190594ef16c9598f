// Width-aware tables: cells cut at a word boundary with an ellipsis, the widest non-key column
// giving way first, and nothing cut when the width is unknown or --wide is asked for.
import { describe, expect, it } from 'vitest';
import { fitColumns, formatTable, truncateWords } from '../../../src/cli/ui';

describe('truncateWords', () => {
  it('cuts at the last word boundary that keeps most of the text, with an ellipsis', () => {
    const cut = truncateWords('spike: 101 requests in 15 minutes against a baseline of 3', 30);
    expect(cut.length).toBeLessThanOrEqual(30);
    expect(cut.endsWith('…')).toBe(true);
    // The character before the ellipsis ends a word of the original.
    const kept = cut.slice(0, -1);
    expect('spike: 101 requests in 15 minutes against a baseline of 3'.startsWith(kept)).toBe(true);
    expect(
      [' ', undefined].includes('spike: 101 requests in 15 minutes against a baseline of 3'[kept.length]),
    ).toBe(true);
  });

  it('leaves text that fits alone, and cuts a single long word hard', () => {
    expect(truncateWords('short', 10)).toBe('short');
    expect(truncateWords('a'.repeat(40), 10)).toBe(`${'a'.repeat(9)}…`);
  });
});

describe('fitColumns and formatTable', () => {
  it('shrinks the widest column other than the first until the row fits', () => {
    expect(fitColumns([20, 100, 10], [7, 5, 6], 60)).toEqual([20, 26, 10]);
  });

  it('keeps every line within the width, and everything without one or with wide', () => {
    const rows = [['user:alice', 'x'.repeat(200), 'manual']];
    const fitted = formatTable(['ENTITY', 'REASON', 'SOURCE'], rows, undefined, { width: 50 });
    expect(Math.max(...fitted.split('\n').map((l) => l.length))).toBeLessThanOrEqual(50);
    expect(formatTable(['ENTITY', 'REASON', 'SOURCE'], rows)).toContain('x'.repeat(200));
    expect(formatTable(['ENTITY', 'REASON', 'SOURCE'], rows, undefined, { width: 50, wide: true })).toContain(
      'x'.repeat(200),
    );
  });
});
