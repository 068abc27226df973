import type { Page } from 'playwright-core';

/**
 * An init script that replaces window.Notification with one that only records what the app showed, so a
 * headless browser can "allow" notifications and a test can count them. The permission and the record live in
 * the origin's localStorage, so they survive reloads like a real browser's permission does.
 */
export function notificationStub(permission: 'default' | 'granted' | 'denied'): string {
  return `(() => {
    let store;
    try { store = window.localStorage; } catch { return; }
    if (!store) return;
    const PERMISSION = 'e2e.notification-permission';
    const SHOWN = 'e2e.notifications-shown';
    if (store.getItem(PERMISSION) === null) store.setItem(PERMISSION, ${JSON.stringify(permission)});
    class CountingNotification {
      constructor(title, options) {
        const shown = JSON.parse(store.getItem(SHOWN) || '[]');
        shown.push({ title: String(title), body: String((options && options.body) || ''), tag: String((options && options.tag) || '') });
        store.setItem(SHOWN, JSON.stringify(shown));
      }
      static get permission() { return store.getItem(PERMISSION); }
      static async requestPermission() { store.setItem(PERMISSION, 'granted'); return 'granted'; }
    }
    Object.defineProperty(window, 'Notification', { value: CountingNotification, configurable: true, writable: true });
  })();`;
}

export interface ShownNotification {
  readonly title: string;
  readonly body: string;
  readonly tag: string;
}

/** What the stub recorded on this page's origin. */
export function notificationsShown(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('e2e.notifications-shown') ?? '[]') as ShownNotification[]);
}
