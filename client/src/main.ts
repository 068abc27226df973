import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './app/App.vue';
import { createApiClient } from './app/api.ts';
import { useComputeStore } from './app/compute-store.ts';
import { FIRST_SCREEN, createFirstScreen } from './app/first-screen.ts';
import { API_CLIENT, REPLICA_PORT } from './app/injection.ts';
import { createIndexedDbReplica } from './app/replica-adapter.ts';
import { createAppRouter } from './app/router.ts';
import { useSessionStore } from './stores/session.ts';
import { useSyncStatusStore } from './stores/sync-status.ts';
import { applyTheme, readStoredTheme } from './stores/theme.ts';
import '@fontsource/orbitron/700.css';
import './themes/base.css';
import './themes/themes.css';

// Paint the remembered theme before anything renders.
applyTheme(readStoredTheme(globalThis.localStorage));

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.provide(API_CLIENT, createApiClient({ getAccessToken: () => useSessionStore(pinia).accessToken }));
const replica = createIndexedDbReplica();
app.provide(REPLICA_PORT, replica);
// Background work waits for the first screen after each unlock.
const firstScreen = createFirstScreen();
app.provide(FIRST_SCREEN, firstScreen);
replica.onDatabase((db) => {
  if (!db) firstScreen.reset();
});
// Sync runs while the replica is unlocked and the user signed in; its code (RxDB replication) loads on the first unlock.
const stopWaiting = replica.onDatabase((db) => {
  if (!db) return;
  stopWaiting();
  void Promise.all([import('./sync/session-sync.ts'), import('./sync/status-relay.ts')]).then(([{ startSessionSync }, { relaySyncStatus }]) =>
    // Only the leading tab replicates; the relay shows its sync state in this tab's indicator too.
    app.runWithContext(() => startSessionSync({ replica, session: useSessionStore(pinia), status: relaySyncStatus(useSyncStatusStore(pinia)).sink })),
  );
});
app.use(createAppRouter(pinia));
// The compute worker follows the replica: started after unlock, stopped on lock.
app.runWithContext(() => useComputeStore(pinia).bind());
app.mount('#app');
