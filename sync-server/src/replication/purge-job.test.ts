import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPurgeJob } from './purge-job.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('daily purge job', () => {
  it('runs a minute after start, then every interval, and logs what it removed', async () => {
    vi.useFakeTimers();
    const purge = vi.fn(() => Promise.resolve({ transactions: 3, accounts: 0, attachment_blobs: 1 }));
    const lines: string[] = [];
    const stop = startPurgeJob({ purge, log: (l) => lines.push(l), intervalMs: 1_000, firstDelayMs: 100 });
    await vi.advanceTimersByTimeAsync(99);
    expect(purge).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(purge).toHaveBeenCalledTimes(1);
    expect(lines).toEqual(['purge: removed 3 from transactions, 1 from attachment_blobs']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(purge).toHaveBeenCalledTimes(3);
    stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(purge).toHaveBeenCalledTimes(3);
  });

  it('a failed run is logged and the schedule goes on', async () => {
    vi.useFakeTimers();
    const purge = vi.fn().mockRejectedValueOnce(new Error('database is restarting')).mockResolvedValue({});
    const lines: string[] = [];
    const stop = startPurgeJob({ purge, log: (l) => lines.push(l), intervalMs: 1_000, firstDelayMs: 10 });
    await vi.advanceTimersByTimeAsync(10);
    expect(lines[0]).toMatch(/purge failed .*database is restarting/);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(purge).toHaveBeenCalledTimes(2);
    expect(lines).toHaveLength(1);
    stop();
  });
});
