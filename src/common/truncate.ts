/** Fits text into a varchar(n) column: over-long text is cut, never a failed insert (SPEC §3). */
export function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

export function truncateOptional(text: string | null | undefined, length: number): string | null {
  return text === null || text === undefined ? null : truncate(text, length);
}
