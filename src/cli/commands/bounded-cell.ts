// Table cells of bounded width for `blocklist ls` and `smoke anomaly`, so a row fits a terminal:
// long text is cut at a word boundary and ends with an ellipsis; `--wide` shows it whole, and
// `--json` is always complete.

/** `text` in at most `max` characters, cut at the last space that fits (mid-word only for one long word). */
export function boundedCell(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = flat.slice(0, Math.max(1, max - 1));
  const space = room.lastIndexOf(' ');
  const cut = space >= max / 2 ? room.slice(0, space) : room;
  return `${cut.replace(/[\s,;:=]+$/, '')}…`;
}

/** Column widths for cells that can grow: the given bound, or unbounded with --wide. */
export function cellBound(wide: boolean | undefined, max: number): number {
  return wide ? Number.POSITIVE_INFINITY : max;
}
