import { describe, expect, it } from 'vitest';
import { compareStamps } from '@mymidas/shared/sync';
import { openTestReplica } from '../testing/test-replica.ts';
import { CLOCK_DOC, DeviceClock, nextStamp, replicaClock, setDeviceClock, stampAfter, stampDoc } from './clock.ts';

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

describe('the clock of an open replica', () => {
  it('is one instance per database, on the device id as node, so every writer stamps from the same clock', async () => {
    const db = await openTestReplica();
    try {
      const [a, b] = await Promise.all([replicaClock(db), replicaClock(db)]);
      expect(a).toBe(b);
      expect(a.node).toBe('0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000');
      const stamps = [await stampAfter(db), a.nextStamp(), await stampAfter(db), b.nextStamp()];
      for (let i = 1; i < stamps.length; i++) expect(compareStamps(stamps[i - 1]!, stamps[i]!)).toBe(-1);
    } finally {
      await db.close();
    }
  });

  it('stamps an edit after the edited documents\' stamps, even ones from a device whose clock runs ahead', async () => {
    const db = await openTestReplica();
    try {
      const ahead = `${Date.now() + 3_600_000}:0007:other-device`;
      const stamp = await stampAfter(db, null, '1764000000000:0000:test', ahead, undefined);
      expect(compareStamps(ahead, stamp)).toBe(-1);
      expect(compareStamps(stamp, await stampAfter(db))).toBe(-1);
    } finally {
      await db.close();
    }
  });

  it('resumes after the last stamp it saved, so stamps never run backwards across a reload', async () => {
    const db = await openTestReplica();
    try {
      const saved = `${Date.now() + 3_600_000}:00ff:0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000`;
      await db.upsertLocal(CLOCK_DOC, { last: saved });
      expect(compareStamps(saved, await stampAfter(db))).toBe(-1);
    } finally {
      await db.close();
    }
  });

  it('refuses a replica without a device record', async () => {
    const db = await openTestReplica();
    try {
      await (await db.getLocal('device'))?.remove();
      await expect(replicaClock(db)).rejects.toThrow(/device record/);
    } finally {
      await db.close();
    }
  });
});
