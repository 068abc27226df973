import type { Pinia } from 'pinia';
import { createRouter, createWebHistory, type RouteRecordRaw, type Router, type RouterHistory } from 'vue-router';
import { AREAS, type AreaId } from './areas.ts';
import { useSessionStore } from '../stores/session.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Used for the document title and the page heading. */
    title: string;
    /** 'auth' pages have no navigation; 'app' pages need an unlocked replica. */
    layout: 'app' | 'auth';
    area?: AreaId;
  }
}

const areaPages: Record<AreaId, () => Promise<unknown>> = {
  dashboard: () => import('../features/dashboard/DashboardPage.vue'),
  accounts: () => import('../features/accounts/AccountsPage.vue'),
  transactions: () => import('../features/transactions/TransactionsPage.vue'),
  import: () => import('../features/import/ImportPage.vue'),
  budgets: () => import('../features/budgets/BudgetsPage.vue'),
  investments: () => import('../features/investments/InvestmentsPage.vue'),
  reports: () => import('../features/reports/ReportsPage.vue'),
  forecasts: () => import('../features/forecasts/ForecastsPage.vue'),
  settings: () => import('../features/settings/SettingsPage.vue'),
};

export const routes: RouteRecordRaw[] = [
  ...AREAS.map((area): RouteRecordRaw => ({
    path: area.path,
    name: area.id,
    component: areaPages[area.id],
    meta: { title: area.label, layout: 'app', area: area.id },
  })),
  { path: '/settings/conflicts', name: 'conflicts', component: () => import('../features/conflicts/ConflictLogPage.vue'), meta: { title: 'Conflict log', layout: 'app', area: 'settings' } },
  // Ledger tools (client/src/features/{transfers,recurring,rules}), under the area they belong to.
  { path: '/transactions/transfers', name: 'transfers', component: () => import('../features/transfers/TransfersPage.vue'), meta: { title: 'Transfers', layout: 'app', area: 'transactions' } },
  { path: '/transactions/recurring', name: 'recurring', component: () => import('../features/recurring/RecurringPage.vue'), meta: { title: 'Recurring', layout: 'app', area: 'transactions' } },
  { path: '/settings/rules', name: 'rules', component: () => import('../features/rules/RulesPage.vue'), meta: { title: 'Categorisation rules', layout: 'app', area: 'settings' } },
  { path: '/investments/gains', name: 'investments-gains', component: () => import('../features/investments/InvestmentsGains.vue'), meta: { title: 'Capital gains', layout: 'app', area: 'investments' } },
  { path: '/investments/asset/:assetId', name: 'investment-asset', component: () => import('../features/investments/InvestmentAssetPage.vue'), meta: { title: 'Asset', layout: 'app', area: 'investments' } },
  // Investments (issue 21): the tabs of InvestmentsPage.vue, each with its address.
  { path: '/investments/holdings', name: 'investment-holdings', component: areaPages.investments, meta: { title: 'Investments', layout: 'app', area: 'investments' } },
  { path: '/investments/allocation', name: 'investment-allocation', component: areaPages.investments, meta: { title: 'Investments', layout: 'app', area: 'investments' } },
  // Reports (issue 23): one address per report, its filters in the query.
  { path: '/reports/:report', name: 'report', component: areaPages.reports, meta: { title: 'Reports', layout: 'app', area: 'reports' } },
  { path: '/login', name: 'login', component: () => import('../features/auth/LoginPage.vue'), meta: { title: 'Sign in', layout: 'auth' } },
  { path: '/register', name: 'register', component: () => import('../features/auth/RegisterPage.vue'), meta: { title: 'Create your account', layout: 'auth' } },
  { path: '/unlock', name: 'unlock', component: () => import('../features/auth/UnlockPage.vue'), meta: { title: 'Unlock', layout: 'auth' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../features/not-found/NotFoundPage.vue'), meta: { title: 'Not found', layout: 'auth' } },
];

export function createAppRouter(pinia: Pinia, history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({ history, routes, scrollBehavior: () => ({ top: 0 }) });

  // App pages need the replica unlocked: with data on this device, the password unlocks it (no
  // server needed); on a new device, signing in creates it.
  router.beforeEach(async (to) => {
    if (to.meta.layout !== 'app') return true;
    const session = useSessionStore(pinia);
    if (session.unlocked) return true;
    const redirect = to.fullPath === '/' ? undefined : to.fullPath;
    const name = (await session.hasDeviceData()) ? 'unlock' : 'login';
    return { name, query: redirect ? { redirect } : {} };
  });

  router.afterEach((to) => {
    document.title = `${to.meta.title} · MyMidas`;
  });
  return router;
}

/** Where to go after signing in or unlocking: the page that was asked for, if it is one of ours. */
export function afterSignIn(redirect: unknown): string {
  return typeof redirect === 'string' && /^\/(?![/\\])/.test(redirect) ? redirect : '/';
}
