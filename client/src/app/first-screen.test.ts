import { describe, expect, it } from 'vitest';
import { afterFirstScreen, createFirstScreen } from './first-screen.ts';

const settled = async (p: Promise<void>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('afterFirstScreen', () => {
  it('waits for the first screen to say it is shown, then for an idle moment', async () => {
    const first = createFirstScreen();
    const waiting = afterFirstScreen(first, { fallbackMs: 60_000, idleMs: 10 });
    expect(await settled(waiting, 50)).toBe(false);
    first.markShown();
    expect(await settled(waiting, 1_000)).toBe(true);
  });

  it('does not wait once a screen was shown, and waits again after the replica locked (reset)', async () => {
    const first = createFirstScreen();
    first.markShown();
    expect(await settled(afterFirstScreen(first, { fallbackMs: 60_000, idleMs: 10 }), 1_000)).toBe(true);
    first.reset();
    expect(await settled(afterFirstScreen(first, { fallbackMs: 60_000, idleMs: 10 }), 50)).toBe(false);
  });

  it('gives up waiting for a screen that never says it is shown after the fallback time', async () => {
    const first = createFirstScreen();
    expect(await settled(afterFirstScreen(first, { fallbackMs: 30, idleMs: 10 }), 1_000)).toBe(true);
  });

  it('only waits for an idle moment where no FirstScreen is provided', async () => {
    expect(await settled(afterFirstScreen(null, { idleMs: 10 }), 1_000)).toBe(true);
  });
});
