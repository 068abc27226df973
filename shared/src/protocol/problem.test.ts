import { describe, expect, it } from 'vitest';
import { problemKind, problemType, readProblem, retryAfterMs } from './problem.ts';

describe('problem details', () => {
  it('reads a problem body and its kind', () => {
    const p = readProblem({ type: problemType('rate-limited'), title: 'Too many requests', status: 429, detail: 'Slow down', extra: 1 });
    expect(p).toMatchObject({ status: 429, detail: 'Slow down', extra: 1 });
    expect(problemKind(p!.type)).toBe('rate-limited');
  });

  it('refuses what is not a problem body', () => {
    expect(readProblem(null)).toBeNull();
    expect(readProblem('<html>')).toBeNull();
    expect(readProblem({ title: 'x', status: 200, type: 'y' })).toBeNull();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs('Sun, 06 Dec 2026 20:00:30 GMT', Date.parse('2026-12-06T20:00:00Z'))).toBe(30_000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});
