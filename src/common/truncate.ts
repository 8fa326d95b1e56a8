/**
 * Fits text into a varchar(n) column: over-long text is cut, never a failed insert (SPEC §3).
 * PostgreSQL counts characters (code points), JavaScript counts UTF-16 units: the cut is made on
 * code points, so a character outside the BMP (an emoji) is never split into half a surrogate pair
 * (which PostgreSQL refuses), and text that fits in code points is kept whole.
 */
export function truncate(text: string, length: number): string {
  // Every code point is one or two units: text no longer in units fits in code points too.
  if (text.length <= length) return text;
  let points = 0;
  /** UTF-16 units of the first length - 1 code points: what is kept before the ellipsis. */
  let kept = 0;
  for (const character of text) {
    points += 1;
    if (points > length) return `${text.slice(0, kept)}…`;
    if (points < length) kept += character.length;
  }
  return text;
}

export function truncateOptional(text: string | null | undefined, length: number): string | null {
  return text === null || text === undefined ? null : truncate(text, length);
}
