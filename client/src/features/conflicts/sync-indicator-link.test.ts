// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { routes } from '../../app/router.ts';
import SyncStatusIndicator from '../../components/SyncStatusIndicator.vue';
import { useSyncStatusStore } from '../../stores/sync-status.ts';

describe('sync status → conflict log', () => {
  it('"conflicts to review" is a link to the conflict log route, which is an app page under Settings', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const router = createRouter({ history: createMemoryHistory(), routes });
    const sync = useSyncStatusStore();
    sync.setOnline(true);
    sync.setSignedIn(true);
    sync.syncFinished('2026-11-25T10:00:00Z');
    const w = mount(SyncStatusIndicator, { global: { plugins: [pinia, router] } });
    await flushPromises();
    expect(w.find('a').exists()).toBe(false);
    expect(w.text()).toContain('Synced');

    sync.setConflicts(2);
    await flushPromises();
    const link = w.get('a');
    expect(link.attributes('href')).toBe('/settings/conflicts');
    expect(link.text()).toContain('2 conflicts to review');
    const route = router.resolve('/settings/conflicts');
    expect(route.name).toBe('conflicts');
    expect(route.meta).toMatchObject({ layout: 'app', area: 'settings', title: 'Conflict log' });
    w.unmount();
  });
});
