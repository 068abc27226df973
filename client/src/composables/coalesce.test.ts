import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.ts';

describe('coalesce', () => {
  it('runs once at a time, and once more after a burst of calls made while it ran', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const schedule = coalesce(async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
    });
    schedule();
    schedule();
    schedule();
    expect(runs).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
  });

  it('goes on after a run that failed', async () => {
    let runs = 0;
    const schedule = coalesce(async () => {
      runs++;
      if (runs === 1) throw new Error('first run fails');
    });
    schedule();
    await new Promise((r) => setTimeout(r, 0));
    schedule();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
  });
});
