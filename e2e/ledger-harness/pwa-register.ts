/**
 * The harness builds the app without vite-plugin-pwa (no service worker in a test page), so
 * `virtual:pwa-register` resolves here: registering does nothing and no update is ever offered.
 */
export function registerSW(): (reload?: boolean) => Promise<void> {
  return async () => undefined;
}
