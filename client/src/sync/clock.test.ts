import { describe, expect, it } from 'vitest';
import { compareStamps } from '@mymidas/shared/sync';
import { DeviceClock, nextStamp, setDeviceClock, stampDoc } from './clock.ts';

describe('device clock', () => {
  it('issues strictly increasing stamps even when the wall clock goes back', () => {
    let now = 1_750_000_000_000;
    const clock = new DeviceClock({ node: 'dev-a', now: () => now });
    const a = clock.nextStamp();
    now -= 5_000;
    const b = clock.nextStamp();
    expect(compareStamps(a, b)).toBe(-1);
    expect(b).toBe('1750000000000:0001:dev-a');
  });

  it('moves past a pulled stamp, so the next local edit sorts after it; a stamp a day ahead is not adopted', () => {
    const now = 1_750_000_000_000;
    const clock = new DeviceClock({ node: 'dev-a', now: () => now });
    expect(clock.observe('1750000009000:0003:dev-b')).toBe(true);
    expect(compareStamps(clock.nextStamp(), '1750000009000:0003:dev-b')).toBe(1);
    expect(clock.observe(`${now + 25 * 3_600_000}:0000:dev-c`)).toBe(false);
    expect(clock.observe('garbage')).toBe(false);
    expect(clock.last.startsWith('1750000009000')).toBe(true);
  });

  it('resumes from a persisted stamp and reports every change', () => {
    const seen: string[] = [];
    const clock = new DeviceClock({ node: 'dev-a', now: () => 1, last: '1750000000000:00ff:dev-a', onChange: (s) => seen.push(s) });
    expect(clock.nextStamp()).toBe('1750000000000:0100:dev-a');
    expect(seen).toEqual(['1750000000000:0100:dev-a']);
  });

  it('stampDoc/nextStamp use the unlocked device clock and refuse while locked', () => {
    setDeviceClock(null);
    expect(() => nextStamp()).toThrow(/unlock/);
    setDeviceClock(new DeviceClock({ node: 'dev-a', now: () => 1_750_000_000_000 }));
    expect(stampDoc({ id: 'x', amount: 1 })).toEqual({ id: 'x', amount: 1, hlc: '1750000000000:0000:dev-a' });
    setDeviceClock(null);
  });
});
