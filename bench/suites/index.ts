import type { BenchSuite } from '../lib/suite.ts';
import { backupSuites } from './backup.ts';
import { budgetsHistory, budgetsPage } from './budgets.ts';
import { firstSync, firstSyncHousehold } from './first-sync.ts';
import { forecastMonteCarlo, forecastProphet } from './forecast.ts';
import { generatorBrowser, generatorNode } from './generator.ts';
import { lighthouseAccessibility, lighthouseBestPractices } from './lighthouse.ts';
import { importParseNode, importParseWorker } from './import-parse.ts';
import { investGains, investPortfolio } from './invest.ts';
import { reportSuites } from './reports.ts';
import { replicaEncryption } from './replica-encryption-suite.ts';
import { openApp, openAppHeap } from './open-app.ts';
import { serverPull, serverPush } from './server-sync.ts';
import { snapshotCategoryTotals, snapshotOpen } from './snapshot-suites.ts';
import { transactionsPageFilter, transactionsPageFirstRow, transactionsPageSearch } from './transactions-page.ts';

/**
 * Every benchmark `npm run bench` runs, in this order. Add a suite here after writing it in
 * bench/suites/<name>.ts (see bench/lib/suite.ts for the contract). Planned next: server push and
 * pull of 100,000 transactions vs raw `pg` (issue 4), and the sync and snapshot suites (issue 9).
 */
export const SUITES: readonly BenchSuite<unknown>[] = [
  generatorNode,
  generatorBrowser,
  replicaEncryption,
  lighthouseAccessibility,
  lighthouseBestPractices,
  importParseNode,
  importParseWorker,
  serverPush,
  serverPull,
  firstSync,
  firstSyncHousehold,
  snapshotCategoryTotals,
  snapshotOpen,
  openApp,
  openAppHeap,
  transactionsPageFirstRow,
  transactionsPageFilter,
  transactionsPageSearch,
  budgetsPage,
  budgetsHistory,
  investPortfolio,
  investGains,
  ...reportSuites,
  forecastProphet,
  forecastMonteCarlo,
  ...backupSuites,
];
