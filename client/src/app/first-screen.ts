import { inject, ref, watch } from 'vue';
import type { InjectionKey, Ref } from 'vue';

/**
 * When the first screen after an unlock has shown what it is for, so the shell's background work (recurring
 * auto-posting, budget alerts) starts after it instead of competing with it for the page, the replica and the
 * compute worker. A screen that waits for figures says when they are on screen (`markShown`; the dashboard
 * does); for any other screen the background work starts after a fallback time. Provided once by main.ts.
 */
export interface FirstScreen {
  /** True once a screen said its figures are on screen since the replica was last unlocked. */
  readonly shown: Readonly<Ref<boolean>>;
  markShown(): void;
  /** The replica locked: the next unlock has a first screen of its own. */
  reset(): void;
}

export const FIRST_SCREEN: InjectionKey<FirstScreen> = Symbol('first-screen');

export function createFirstScreen(): FirstScreen {
  const shown = ref(false);
  return {
    shown,
    markShown: () => void (shown.value = true),
    reset: () => void (shown.value = false),
  };
}

/** The app's FirstScreen, or null where none is provided (tests mounting a piece alone). */
export function useFirstScreen(): FirstScreen | null {
  return inject(FIRST_SCREEN, null);
}

/** Waits for an idle moment (at most `ms`) where the browser can say; a plain timer elsewhere. */
export function whenIdle(ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: ms });
    else setTimeout(resolve, Math.min(ms, 500));
  });
}

export interface AfterFirstScreenOptions {
  /** Longest wait for a screen to say it is shown (a screen that never does). Default 4 s. */
  readonly fallbackMs?: number;
  /** Longest wait for an idle moment after it. Default 3 s. */
  readonly idleMs?: number;
}

/**
 * Resolves once the first screen is shown (or `fallbackMs` passed) and then the browser is idle: where
 * background work that the first screen does not need should start. With no FirstScreen, only the idle wait.
 */
export async function afterFirstScreen(first: FirstScreen | null, options: AfterFirstScreenOptions = {}): Promise<void> {
  if (first && !first.shown.value) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, options.fallbackMs ?? 4_000);
      const stop = watch(first.shown, (shown) => shown && finish());
      function finish() {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  }
  await whenIdle(options.idleMs ?? 3_000);
}
