/** "in 3m 05s", "2h 10m ago": how far a moment is from now, for countdowns and ages. */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (iso === null) return '—';
  const deltaMs = new Date(iso).getTime() - nowMs;
  const text = duration(Math.abs(deltaMs));
  return deltaMs >= 0 ? `in ${text}` : `${text} ago`;
}

export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function bytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${n.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export function dateTime(iso: string | null): string {
  if (iso === null) return '—';
  return new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

let numbers: Intl.NumberFormat | undefined;

/** A count with the reader's digit grouping; a locale Intl does not know (en-US@posix) falls back to en-US. */
export function count(value: number): string {
  if (!numbers) {
    try {
      numbers = new Intl.NumberFormat(navigator.languages as string[]);
    } catch {
      numbers = new Intl.NumberFormat('en-US');
    }
  }
  return numbers.format(value);
}
