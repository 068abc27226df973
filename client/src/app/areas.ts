import type { CollectionName } from '@mymidas/shared/schema';

export const AREA_IDS = ['dashboard', 'accounts', 'transactions', 'import', 'budgets', 'investments', 'reports', 'forecasts', 'settings'] as const;
export type AreaId = (typeof AREA_IDS)[number];

export interface AreaInfo {
  readonly id: AreaId;
  readonly path: string;
  readonly label: string;
  /** Shown in the bottom bar on phones; the rest sit behind "More". */
  readonly primaryOnPhone: boolean;
  /** One sentence: what this area will do. */
  readonly purpose: string;
  /** What will be on the page once it is built, in the user's words. */
  readonly planned: readonly string[];
  /** The replica collections this area reads; their counts are shown while it is being built. */
  readonly collections: readonly CollectionName[];
}

export const AREAS: readonly AreaInfo[] = [
  {
    id: 'dashboard', path: '/', label: 'Dashboard', primaryOnPhone: true,
    purpose: 'Your financial picture at a glance, worked out on this device.',
    planned: ['Net worth now, across every account and currency', "This month's income and expenses", 'Your most recent transactions'],
    collections: ['accounts', 'transactions', 'net_worth_snapshots'],
  },
  {
    id: 'accounts', path: '/accounts', label: 'Accounts', primaryOnPhone: true,
    purpose: 'Bank, card, cash, savings, loan and investment accounts with their balances.',
    planned: ['Each account with its currency and current balance', 'Opening balances and closed accounts', 'Adding and editing accounts offline'],
    collections: ['accounts'],
  },
  {
    id: 'transactions', path: '/transactions', label: 'Transactions', primaryOnPhone: true,
    purpose: 'Every transaction, searchable and editable, paged so large histories stay fast.',
    planned: ['A paged list that decrypts only the rows on screen', 'Categories, splits and transfers', 'Rules that categorise new transactions'],
    collections: ['transactions', 'categories', 'rules'],
  },
  {
    id: 'import', path: '/import', label: 'Import', primaryOnPhone: false,
    purpose: 'Bring in bank statements without sending them anywhere.',
    planned: ['CSV, OFX/QFX and QIF files parsed on this device', 'Column mapping and a preview before anything is saved', 'Duplicate detection against what is already here'],
    collections: ['transactions', 'accounts'],
  },
  {
    id: 'budgets', path: '/budgets', label: 'Budgets', primaryOnPhone: true,
    purpose: 'Plan spending per category and see how each period is going.',
    planned: ['Monthly, weekly or yearly budgets per category', 'Spent, remaining and roll-over', 'Recurring bills and what is still due'],
    collections: ['budgets', 'categories', 'recurring_rules'],
  },
  {
    id: 'investments', path: '/investments', label: 'Investments', primaryOnPhone: false,
    purpose: 'Holdings, cost basis and returns, with prices from the server feeds.',
    planned: ['Holdings per account with quantity, price and value', 'Cost basis and realised/unrealised gains', 'Time- and money-weighted returns'],
    collections: ['assets', 'investment_transactions', 'quotes'],
  },
  {
    id: 'reports', path: '/reports', label: 'Reports', primaryOnPhone: false,
    purpose: 'Charts of where money comes from and goes, over any period.',
    planned: ['Spending by category and by payee', 'Income versus expenses over time', 'Net worth history'],
    collections: ['transactions', 'net_worth_snapshots'],
  },
  {
    id: 'forecasts', path: '/forecasts', label: 'Forecasts', primaryOnPhone: false,
    purpose: 'Where your balances are heading, modelled on this device.',
    planned: ['Cash-flow forecast from recurring items and history', 'Ranges from Monte Carlo simulation', 'Goals and what it takes to reach them'],
    collections: ['transactions', 'recurring_rules'],
  },
  {
    id: 'settings', path: '/settings', label: 'Settings', primaryOnPhone: false,
    purpose: 'Theme, device security and your session.',
    planned: [],
    collections: [],
  },
];

export function areaById(id: AreaId): AreaInfo {
  const area = AREAS.find((a) => a.id === id);
  if (!area) throw new RangeError(`Unknown area "${id}"`);
  return area;
}

/** How a collection is named in sentences. */
export const COLLECTION_LABELS: Readonly<Record<CollectionName, [one: string, many: string]>> = {
  accounts: ['account', 'accounts'],
  categories: ['category', 'categories'],
  transactions: ['transaction', 'transactions'],
  budgets: ['budget', 'budgets'],
  recurring_rules: ['recurring rule', 'recurring rules'],
  attachments: ['attachment', 'attachments'],
  assets: ['asset', 'assets'],
  investment_transactions: ['investment transaction', 'investment transactions'],
  quotes: ['price quote', 'price quotes'],
  net_worth_snapshots: ['net-worth snapshot', 'net-worth snapshots'],
  settings: ['settings record', 'settings records'],
  rules: ['categorisation rule', 'categorisation rules'],
};
