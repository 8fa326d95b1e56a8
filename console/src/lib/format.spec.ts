import { describe, expect, it } from '@jest/globals';
import { duration, relativeTime } from './format.js';

describe('times in the console', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');

  it('counts down to a retry and tells how long ago something happened', () => {
    expect(relativeTime('2026-11-25T12:03:05Z', now)).toBe('in 3m 05s');
    expect(relativeTime('2026-11-25T09:50:00Z', now)).toBe('2h 10m ago');
    expect(relativeTime(null, now)).toBe('—');
  });

  it('writes durations in the largest units that matter', () => {
    expect(duration(42_000)).toBe('42s');
    expect(duration(3 * 86_400_000 + 5 * 3_600_000)).toBe('3d 5h');
  });
});
