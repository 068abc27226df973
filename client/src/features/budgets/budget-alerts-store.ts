import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { Ref } from 'vue';
import { todayIn } from '@mymidas/shared/date';
import type { Budget, Category, Settings } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { useReplicaDb } from '../../composables/use-replica-db.ts';
import { currentAlertItems, notificationText } from './budget-alerts.ts';
import type { BudgetAlertItem } from './budget-alerts.ts';

/**
 * The in-app list of budget alerts and the browser notifications (issue 20, bullet 4).
 *
 * The list is read from the budgets' `alerts` of their current periods — the synced record — so every device
 * shows the same alerts. What this device's user did with them (read, dismissed) and which ones this device
 * already notified are kept on the device only (localStorage), as keys of the form budget|period|kind.
 */

export type NotificationPermissionState = NotificationPermission | 'unsupported';

/** The browser's Notification API as the alerts use it; tests pass their own. */
export interface NotificationPort {
  permission(): NotificationPermissionState;
  request(): Promise<NotificationPermissionState>;
  show(title: string, options: { body: string; tag: string }): void;
}

/**
 * The Notification API of `win`, or null where there is none. `new Notification` throws on Android's Chrome
 * (notifications go through the service worker there), so showing falls back to the registration's.
 */
export function browserNotifications(win: typeof globalThis = globalThis): NotificationPort | null {
  const api = (win as { Notification?: typeof Notification }).Notification;
  if (typeof api !== 'function') return null;
  return {
    permission: () => api.permission,
    request: async () => api.requestPermission(),
    show(title, options) {
      try {
        new api(title, options);
      } catch {
        void win.navigator?.serviceWorker?.ready.then((r) => r.showNotification(title, options)).catch(() => undefined);
      }
    },
  };
}

export interface BudgetAlertsOptions {
  /** Where read, dismissed and notified marks are kept; default localStorage. */
  readonly storage?: Storage | null;
  /** Default: the browser's Notification API (null where unsupported). */
  readonly notifications?: NotificationPort | null;
  readonly now?: () => Date;
}

const READ_KEY = 'mymidas.budget-alerts.read';
const DISMISSED_KEY = 'mymidas.budget-alerts.dismissed';
const NOTIFIED_KEY = 'mymidas.budget-alerts.notified';
/** Marks kept per kind; the oldest go first (alerts of old periods are not listed anyway). */
const MAX_MARKS = 500;

function markSet(storage: Storage | null, key: string): Ref<Set<string>> {
  let initial: string[] = [];
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(key) ?? '[]');
    if (Array.isArray(parsed)) initial = parsed.filter((v): v is string => typeof v === 'string');
  } catch {
    initial = [];
  }
  const set = ref(new Set(initial)) as Ref<Set<string>>;
  watch(set, (s) => storage?.setItem(key, JSON.stringify([...s].slice(-MAX_MARKS))));
  return set;
}

function add(set: Ref<Set<string>>, keys: Iterable<string>): void {
  const next = new Set(set.value);
  for (const k of keys) next.add(k);
  set.value = next;
}

/** The store's body over a database reference; `useBudgetAlertsStore` is this over the replica port. */
export function createBudgetAlertsState(db: Readonly<Ref<ReplicaDatabase | null>>, options: BudgetAlertsOptions = {}) {
  const storage = options.storage === undefined ? (typeof localStorage === 'undefined' ? null : localStorage) : options.storage;
  const notifications = options.notifications === undefined ? browserNotifications() : options.notifications;
  const now = options.now ?? (() => new Date());

  const budgets = shallowRef<readonly Budget[]>([]);
  const names = shallowRef<ReadonlyMap<string, string>>(new Map());
  const settings = shallowRef<Settings | null>(null);
  const loading = ref(true);
  const tick = ref(0);
  const today = computed(() => {
    void tick.value;
    return todayIn(settings.value?.timezone, now());
  });
  const monthStartDay = computed(() => settings.value?.budgetStartDay ?? 1);

  const read = markSet(storage, READ_KEY);
  const dismissed = markSet(storage, DISMISSED_KEY);
  const notified = markSet(storage, NOTIFIED_KEY);
  const permission = ref<NotificationPermissionState>(notifications?.permission() ?? 'unsupported');

  let subs: { unsubscribe(): void }[] = [];
  watch(
    db,
    (open) => {
      for (const s of subs) s.unsubscribe();
      subs = [];
      budgets.value = [];
      names.value = new Map();
      settings.value = null;
      loading.value = open !== null;
      if (!open) return;
      const waiting = new Set(['budgets', 'categories', 'settings']);
      const loaded = (what: string) => {
        waiting.delete(what);
        if (waiting.size === 0) loading.value = false;
      };
      subs.push(
        open.budgets.find().$.subscribe((docs) => {
          budgets.value = docs.map((d) => d.toJSON() as Budget);
          loaded('budgets');
        }),
        open.categories.find().$.subscribe((docs) => {
          names.value = new Map(docs.map((d) => [d.id, (d.toJSON() as Category).name]));
          loaded('categories');
        }),
        open.settings.findOne().$.subscribe((doc) => {
          settings.value = doc ? (doc.toJSON() as Settings) : null;
          loaded('settings');
        }),
      );
    },
    { immediate: true },
  );

  // The day moves on while the app stays open: look again every minute and when it comes back to the front.
  const timer = setInterval(() => (tick.value += 1), 60_000);
  const onVisible = () => {
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') tick.value += 1;
  };
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible);
  onScopeDispose(() => {
    for (const s of subs) s.unsubscribe();
    clearInterval(timer);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible);
  });

  const all = computed(() => currentAlertItems({ budgets: budgets.value, names: names.value, monthStartDay: monthStartDay.value, today: today.value }));
  /** The current periods' alerts this device has not dismissed, newest first. */
  const items = computed(() => all.value.filter((i) => !dismissed.value.has(i.key)));
  const unread = computed(() => items.value.filter((i) => !read.value.has(i.key)).length);

  return {
    budgets,
    names,
    settings,
    loading,
    today,
    monthStartDay,
    items,
    unread,
    permission,
    /** Keys of the alerts read on this device. */
    readKeys: computed<ReadonlySet<string>>(() => read.value),
    markRead: (keys: Iterable<string>) => add(read, keys),
    markAllRead: () => add(read, items.value.map((i) => i.key)),
    dismiss: (key: string) => add(dismissed, [key]),
    /** Asks the browser for permission — only ever from a button the user pressed. */
    async requestPermission(): Promise<NotificationPermissionState> {
      if (!notifications) return 'unsupported';
      permission.value = await notifications.request();
      return permission.value;
    },
    /**
     * Tells the user about an alert this device just recorded: through the browser when allowed (the in-app list
     * shows it anyway, from `alerts`). Never twice on this device for the same key, even if a merge with another
     * device's edit dropped this device's entry and it is recorded again.
     */
    notify(item: BudgetAlertItem): boolean {
      if (notified.value.has(item.key)) return false;
      add(notified, [item.key]);
      if (!notifications) return false;
      permission.value = notifications.permission();
      if (permission.value !== 'granted') return false;
      const { title, body } = notificationText(item);
      notifications.show(title, { body, tag: item.key });
      return true;
    },
  };
}

export const useBudgetAlertsStore = defineStore('budget-alerts', () => createBudgetAlertsState(useReplicaDb()));
