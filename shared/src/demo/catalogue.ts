import type { AccountType, AssetKind } from './types.ts';

/**
 * The fixed cast of the demo household: accounts, categories, spending habits, recurring bills
 * and the investment universe. Amounts are pence at the start of the history, before inflation.
 */

export interface AccountSpec {
  readonly key: string;
  readonly name: string;
  readonly type: AccountType;
  readonly currency: 'GBP' | 'EUR' | 'USD';
  readonly institution: string | null;
  readonly opening: number;
  /** Where in the history the account opens, 0 = first day, 1 = reference date. */
  readonly opensAt: number;
  readonly creditLimit?: number;
  readonly apr?: string;
  readonly closed?: boolean;
  readonly notes?: string;
}

export const ACCOUNT_SPECS: readonly AccountSpec[] = [
  { key: 'main', name: 'Everyday current', type: 'current', currency: 'GBP', institution: 'Northgate Bank', opening: 150_000, opensAt: 0 },
  { key: 'joint', name: 'Joint household', type: 'current', currency: 'GBP', institution: 'Northgate Bank', opening: 200_000, opensAt: 0 },
  { key: 'eur', name: 'Travel wallet EUR', type: 'current', currency: 'EUR', institution: 'Wisp Money', opening: 0, opensAt: 0 },
  { key: 'usd', name: 'Travel wallet USD', type: 'current', currency: 'USD', institution: 'Wisp Money', opening: 0, opensAt: 0 },
  { key: 'easy', name: 'Easy access saver', type: 'savings', currency: 'GBP', institution: 'Harbour Building Society', opening: 500_000, opensAt: 0, apr: '1.5' },
  { key: 'emergency', name: 'Emergency fund', type: 'savings', currency: 'GBP', institution: 'Harbour Building Society', opening: 600_000, opensAt: 0, apr: '2.1' },
  { key: 'bonds', name: 'Premium bonds', type: 'savings', currency: 'GBP', institution: 'NS&I', opening: 1_000_000, opensAt: 0 },
  { key: 'cashisa', name: 'Cash ISA', type: 'cash_isa', currency: 'GBP', institution: 'Harbour Building Society', opening: 800_000, opensAt: 0, apr: '2.0' },
  { key: 'isa', name: 'Stocks & Shares ISA', type: 'stocks_shares_isa', currency: 'GBP', institution: 'Larch Investing', opening: 0, opensAt: 0 },
  { key: 'lisa', name: 'Lifetime ISA', type: 'lifetime_isa', currency: 'GBP', institution: 'Larch Investing', opening: 0, opensAt: 0 },
  { key: 'amex', name: 'Rewards credit card', type: 'credit_card', currency: 'GBP', institution: 'Meridian Card Services', opening: 0, opensAt: 0, creditLimit: 800_000, apr: '24.9' },
  { key: 'visa', name: 'Cashback Visa', type: 'credit_card', currency: 'GBP', institution: 'Northgate Bank', opening: 0, opensAt: 0, creditLimit: 500_000, apr: '22.9' },
  { key: 'store', name: 'Department store card', type: 'credit_card', currency: 'GBP', institution: 'Hallams', opening: 0, opensAt: 0, creditLimit: 100_000, apr: '29.9', closed: true, notes: 'Closed after the first year.' },
  { key: 'gia', name: 'General investment account', type: 'investment_gia', currency: 'GBP', institution: 'Larch Investing', opening: 0, opensAt: 0.2 },
  { key: 'pension', name: 'Workplace pension', type: 'workplace_pension', currency: 'GBP', institution: 'Beacon Pensions', opening: 1_850_000, opensAt: 0 },
  { key: 'sipp', name: 'SIPP', type: 'sipp', currency: 'GBP', institution: 'Larch Investing', opening: 0, opensAt: 0 },
  { key: 'crypto', name: 'Crypto wallet', type: 'crypto_wallet', currency: 'GBP', institution: 'Coinvault', opening: 0, opensAt: 0.1 },
  { key: 'car', name: 'Car loan', type: 'loan', currency: 'GBP', institution: 'Northgate Bank', opening: -1_200_000, opensAt: 0.45, apr: '6.9' },
  { key: 'mortgage', name: 'Mortgage', type: 'mortgage', currency: 'GBP', institution: 'Harbour Building Society', opening: -26_000_000, opensAt: 0.3, apr: '2.89' },
  { key: 'wallet', name: 'Wallet cash', type: 'cash', currency: 'GBP', institution: null, opening: 8_000, opensAt: 0 },
  { key: 'home', name: 'Home', type: 'other_asset', currency: 'GBP', institution: null, opening: 32_500_000, opensAt: 0.3, notes: 'Purchase price; revalue from time to time.' },
  { key: 'vehicle', name: 'Family car', type: 'other_asset', currency: 'GBP', institution: null, opening: 1_450_000, opensAt: 0.45 },
  { key: 'student', name: 'Student loan', type: 'other_liability', currency: 'GBP', institution: 'Student Loans Company', opening: -2_400_000, opensAt: 0 },
];

export interface CategorySpec {
  readonly name: string;
  readonly kind: 'income' | 'expense' | 'transfer';
  readonly color: string;
  readonly icon: string;
  readonly children: readonly string[];
}

export const CATEGORY_TREE: readonly CategorySpec[] = [
  { name: 'Income', kind: 'income', color: '#2e7d32', icon: 'wallet', children: ['Salary', 'Bonus', 'Pension contributions', 'Interest', 'Dividends', 'Refunds', 'Gifts received'] },
  { name: 'Housing', kind: 'expense', color: '#6d4c41', icon: 'home', children: ['Rent', 'Council tax', 'Home insurance', 'Repairs & maintenance', 'Furniture'] },
  { name: 'Utilities', kind: 'expense', color: '#f9a825', icon: 'bolt', children: ['Energy', 'Water', 'Broadband', 'Mobile phone', 'TV licence'] },
  { name: 'Food & drink', kind: 'expense', color: '#43a047', icon: 'basket', children: ['Groceries', 'Eating out', 'Takeaway', 'Coffee'] },
  { name: 'Transport', kind: 'expense', color: '#1e88e5', icon: 'car', children: ['Fuel', 'Public transport', 'Car insurance', 'Car maintenance', 'Parking', 'Taxi'] },
  { name: 'Shopping', kind: 'expense', color: '#8e24aa', icon: 'bag', children: ['Clothing', 'Electronics', 'Household goods', 'Books', 'Gifts'] },
  { name: 'Leisure', kind: 'expense', color: '#00897b', icon: 'ticket', children: ['Streaming', 'Gym', 'Hobbies', 'Cinema & events', 'Holidays'] },
  { name: 'Health & care', kind: 'expense', color: '#e53935', icon: 'heart', children: ['Pharmacy', 'Dentist', 'Optician', 'Haircut'] },
  { name: 'Family', kind: 'expense', color: '#fb8c00', icon: 'people', children: ['Childcare', 'Kids activities', 'Pocket money'] },
  { name: 'Finance', kind: 'expense', color: '#546e7a', icon: 'bank', children: ['Bank fees', 'Card interest', 'Loan interest', 'Mortgage interest', 'Student loan interest'] },
  { name: 'Giving', kind: 'expense', color: '#d81b60', icon: 'gift', children: ['Charity'] },
  { name: 'Transfers', kind: 'transfer', color: '#757575', icon: 'swap', children: ['Credit card payment', 'Savings', 'Investments', 'Loan repayment', 'Mortgage payment', 'Currency exchange', 'Cash withdrawal'] },
];

/** Day-of-week factors, Sunday first. */
type Week = readonly [number, number, number, number, number, number, number];
const FLAT: Week = [1, 1, 1, 1, 1, 1, 1];

export interface SpendSpec {
  readonly category: string;
  /** Share of the discretionary transaction count. */
  readonly weight: number;
  /** Average monthly spend in pence at the start of the history. */
  readonly monthly: number;
  readonly sigma: number;
  readonly week: Week;
  /** Month factors (1 = January) on top of the weekly pattern; spend follows the count. */
  readonly months?: Readonly<Record<number, number>>;
  readonly merchants: readonly string[];
  /** Paying accounts with weights; travel wallets take over abroad when `abroad`. */
  readonly pay: Readonly<Record<string, number>>;
  readonly abroad: boolean;
}

export const SPEND_SPECS: readonly SpendSpec[] = [
  { category: 'Groceries', weight: 20, monthly: 46_000, sigma: 0.55, week: [1.3, 0.75, 0.7, 0.8, 0.9, 1.25, 1.9], months: { 12: 1.4, 11: 1.05, 8: 0.92 }, merchants: ['Tesco', 'Sainsbury\'s', 'Aldi', 'Waitrose', 'Lidl', 'Co-op', 'M&S Food'], pay: { main: 3, joint: 4, amex: 3 }, abroad: true },
  { category: 'Eating out', weight: 7, monthly: 12_000, sigma: 0.6, week: [1.1, 0.6, 0.7, 0.8, 1.0, 1.6, 1.6], months: { 12: 1.35 }, merchants: ['Pizza Express', 'Wagamama', 'The Red Lion', 'Dishoom', 'Nando\'s', 'Côte Brasserie'], pay: { main: 3, amex: 5, visa: 2 }, abroad: true },
  { category: 'Takeaway', weight: 4, monthly: 6_000, sigma: 0.4, week: [1.2, 0.6, 0.6, 0.7, 0.9, 1.8, 1.4], merchants: ['Deliveroo', 'Just Eat', 'Uber Eats'], pay: { main: 5, visa: 5 }, abroad: false },
  { category: 'Coffee', weight: 12, monthly: 4_500, sigma: 0.3, week: [0.7, 1.2, 1.2, 1.2, 1.2, 1.0, 0.7], merchants: ['Pret A Manger', 'Costa Coffee', 'Caffè Nero', 'Grind'], pay: { main: 6, wallet: 2, amex: 2 }, abroad: true },
  { category: 'Fuel', weight: 3, monthly: 11_000, sigma: 0.25, week: FLAT, merchants: ['Shell', 'BP', 'Esso', 'Tesco Petrol'], pay: { main: 4, visa: 6 }, abroad: false },
  { category: 'Public transport', weight: 8, monthly: 7_500, sigma: 0.5, week: [0.5, 1.2, 1.2, 1.2, 1.2, 1.1, 0.6], merchants: ['TfL Travel', 'Trainline', 'Stagecoach', 'National Rail'], pay: { main: 7, amex: 3 }, abroad: true },
  { category: 'Parking', weight: 2, monthly: 1_500, sigma: 0.4, week: FLAT, merchants: ['RingGo', 'NCP', 'PayByPhone'], pay: { main: 7, wallet: 3 }, abroad: false },
  { category: 'Taxi', weight: 1.5, monthly: 2_500, sigma: 0.5, week: [1.0, 0.6, 0.6, 0.7, 0.9, 1.6, 1.6], merchants: ['Uber', 'Bolt', 'Addison Lee'], pay: { main: 5, amex: 5 }, abroad: true },
  { category: 'Clothing', weight: 3, monthly: 8_000, sigma: 0.7, week: [1.2, 0.8, 0.8, 0.8, 0.9, 1.1, 1.6], months: { 1: 1.3, 12: 1.25, 7: 1.1 }, merchants: ['Uniqlo', 'Next', 'Zara', 'John Lewis', 'Marks & Spencer'], pay: { amex: 6, visa: 4 }, abroad: true },
  { category: 'Electronics', weight: 0.8, monthly: 4_500, sigma: 0.9, week: FLAT, months: { 11: 2, 12: 1.5 }, merchants: ['Currys', 'Apple Store', 'Argos', 'Amazon'], pay: { amex: 7, visa: 3 }, abroad: false },
  { category: 'Household goods', weight: 3, monthly: 5_000, sigma: 0.6, week: [1.3, 0.8, 0.8, 0.8, 0.9, 1.1, 1.5], merchants: ['IKEA', 'Wilko', 'B&Q', 'Amazon', 'Dunelm'], pay: { main: 4, joint: 3, amex: 3 }, abroad: false },
  { category: 'Books', weight: 1, monthly: 1_500, sigma: 0.4, week: FLAT, merchants: ['Waterstones', 'Amazon', 'Foyles'], pay: { amex: 10 }, abroad: false },
  { category: 'Gifts', weight: 1.5, monthly: 4_500, sigma: 0.6, week: FLAT, months: { 12: 4.5, 11: 1.8 }, merchants: ['John Lewis', 'Amazon', 'Etsy', 'Not On The High Street'], pay: { amex: 6, visa: 4 }, abroad: false },
  { category: 'Hobbies', weight: 2, monthly: 4_000, sigma: 0.7, week: [1.4, 0.8, 0.8, 0.8, 0.9, 1.0, 1.5], merchants: ['Hobbycraft', 'Decathlon', 'Go Outdoors', 'Steam'], pay: { amex: 5, main: 5 }, abroad: false },
  { category: 'Cinema & events', weight: 1.2, monthly: 3_000, sigma: 0.5, week: [1.2, 0.5, 0.5, 0.7, 1.0, 1.7, 1.8], merchants: ['Odeon', 'Vue Cinemas', 'Ticketmaster', 'See Tickets'], pay: { amex: 6, main: 4 }, abroad: true },
  { category: 'Pharmacy', weight: 1.2, monthly: 1_500, sigma: 0.5, week: FLAT, months: { 1: 1.3, 2: 1.2 }, merchants: ['Boots', 'Superdrug', 'Lloyds Pharmacy'], pay: { main: 10 }, abroad: true },
  { category: 'Haircut', weight: 0.6, monthly: 2_500, sigma: 0.2, week: [0, 0.8, 1, 1, 1, 1.2, 1.6], merchants: ['Toni & Guy', 'Local barber'], pay: { main: 6, wallet: 4 }, abroad: false },
  { category: 'Kids activities', weight: 1.5, monthly: 6_000, sigma: 0.5, week: FLAT, months: { 8: 1.5 }, merchants: ['Swim school', 'Little Kickers', 'Play centre'], pay: { main: 10 }, abroad: false },
];

/** Kinds of recurring line the household has. `growth` applies each April. */
export interface RuleSpec {
  readonly key: string;
  readonly name: string;
  readonly rrule: string;
  readonly account: string;
  /** Pence at the start of the history: negative for a payment, positive for income or a transfer's size. */
  readonly amount: number;
  readonly growth: number;
  readonly category: string;
  readonly payee: string;
  /** A transfer to this account instead of a payment. */
  readonly to?: string;
  /** Fractions of the history during which the rule runs (default all of it). */
  readonly from?: number;
  readonly until?: number;
}

const WEEKDAYS = 'BYDAY=MO,TU,WE,TH,FR';
/** Day n of the period, or the next working day when n falls on a weekend (n ≤ 26). */
function onOrAfter(n: number, prefix: string): string {
  return `${prefix};BYMONTHDAY=${n},${n + 1},${n + 2};${WEEKDAYS};BYSETPOS=1`;
}
/** Day n of the period, or the working day before when n falls on a weekend (n ≥ 3). */
function onOrBefore(n: number, prefix: string): string {
  return `${prefix};BYMONTHDAY=${n - 2},${n - 1},${n};${WEEKDAYS};BYSETPOS=-1`;
}

export const RULE_SPECS: readonly RuleSpec[] = [
  { key: 'salary', name: 'Salary', rrule: onOrBefore(25, 'FREQ=MONTHLY'), account: 'main', amount: 290_000, growth: 1.04, category: 'Salary', payee: 'Acme Analytics Ltd' },
  { key: 'partner', name: 'Partner salary', rrule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', account: 'joint', amount: 210_000, growth: 1.035, category: 'Salary', payee: 'Riverside NHS Trust' },
  { key: 'pension', name: 'Pension contribution', rrule: onOrBefore(25, 'FREQ=MONTHLY'), account: 'pension', amount: 45_000, growth: 1.04, category: 'Pension contributions', payee: 'Acme Analytics Ltd' },
  { key: 'rent', name: 'Rent', rrule: onOrAfter(1, 'FREQ=MONTHLY'), account: 'joint', amount: -125_000, growth: 1.03, category: 'Rent', payee: 'Oakfield Lettings', until: 0.3 },
  { key: 'council', name: 'Council tax', rrule: onOrAfter(1, 'FREQ=MONTHLY;BYMONTH=1,4,5,6,7,8,9,10,11,12'), account: 'joint', amount: -14_500, growth: 1.045, category: 'Council tax', payee: 'Borough Council' },
  { key: 'energy', name: 'Energy', rrule: onOrAfter(15, 'FREQ=MONTHLY'), account: 'joint', amount: -9_500, growth: 1.07, category: 'Energy', payee: 'Octant Energy' },
  { key: 'water', name: 'Water', rrule: onOrAfter(20, 'FREQ=MONTHLY'), account: 'joint', amount: -3_800, growth: 1.04, category: 'Water', payee: 'Thames Valley Water' },
  { key: 'broadband', name: 'Broadband', rrule: onOrAfter(12, 'FREQ=MONTHLY'), account: 'joint', amount: -3_500, growth: 1.03, category: 'Broadband', payee: 'FibreNet' },
  { key: 'tv', name: 'TV licence', rrule: onOrAfter(1, 'FREQ=YEARLY;BYMONTH=6'), account: 'joint', amount: -14_750, growth: 1.02, category: 'TV licence', payee: 'TV Licensing' },
  { key: 'homeins', name: 'Home insurance', rrule: onOrAfter(14, 'FREQ=YEARLY;BYMONTH=9'), account: 'main', amount: -18_000, growth: 1.05, category: 'Home insurance', payee: 'Shield Insurance' },
  { key: 'carins', name: 'Car insurance', rrule: onOrAfter(2, 'FREQ=YEARLY;BYMONTH=3'), account: 'main', amount: -52_000, growth: 1.06, category: 'Car insurance', payee: 'Shield Insurance' },
  { key: 'mobile', name: 'Mobile phone', rrule: onOrAfter(8, 'FREQ=MONTHLY'), account: 'main', amount: -2_800, growth: 1.03, category: 'Mobile phone', payee: 'Vela Mobile' },
  { key: 'stream1', name: 'Video streaming', rrule: onOrAfter(3, 'FREQ=MONTHLY'), account: 'amex', amount: -999, growth: 1.06, category: 'Streaming', payee: 'Streamflix' },
  { key: 'stream2', name: 'Music streaming', rrule: onOrAfter(19, 'FREQ=MONTHLY'), account: 'amex', amount: -999, growth: 1.04, category: 'Streaming', payee: 'Tunely' },
  { key: 'gym', name: 'Gym membership', rrule: onOrAfter(1, 'FREQ=MONTHLY'), account: 'main', amount: -3_900, growth: 1.03, category: 'Gym', payee: 'PureMove Gyms' },
  { key: 'charity', name: 'Charity', rrule: onOrAfter(10, 'FREQ=MONTHLY'), account: 'main', amount: -1_000, growth: 1, category: 'Charity', payee: 'Shelter Trust' },
  { key: 'childcare', name: 'Nursery fees', rrule: onOrAfter(2, 'FREQ=MONTHLY'), account: 'joint', amount: -65_000, growth: 1.04, category: 'Childcare', payee: 'Little Acorns Nursery', from: 0.4, until: 0.7 },
  { key: 'pocket', name: 'Pocket money', rrule: 'FREQ=WEEKLY;BYDAY=SA', account: 'wallet', amount: -300, growth: 1.05, category: 'Pocket money', payee: 'Kids', from: 0.7 },
  { key: 'isa', name: 'ISA contribution', rrule: onOrAfter(25, 'FREQ=MONTHLY'), account: 'main', to: 'isa', amount: 40_000, growth: 1.02, category: 'Investments', payee: 'Larch Investing' },
  { key: 'lisa', name: 'Lifetime ISA contribution', rrule: onOrAfter(25, 'FREQ=MONTHLY'), account: 'main', to: 'lisa', amount: 10_000, growth: 1, category: 'Investments', payee: 'Larch Investing' },
  { key: 'sipp', name: 'SIPP contribution', rrule: onOrAfter(24, 'FREQ=MONTHLY'), account: 'main', to: 'sipp', amount: 10_000, growth: 1.02, category: 'Investments', payee: 'Larch Investing' },
  { key: 'gia', name: 'GIA contribution', rrule: onOrAfter(24, 'FREQ=MONTHLY'), account: 'main', to: 'gia', amount: 10_000, growth: 1.03, category: 'Investments', payee: 'Larch Investing', from: 0.2 },
  { key: 'crypto', name: 'Crypto weekly buy', rrule: 'FREQ=WEEKLY;BYDAY=FR', account: 'main', to: 'crypto', amount: 800, growth: 1, category: 'Investments', payee: 'Coinvault', from: 0.1 },
  { key: 'saver', name: 'Monthly saving', rrule: onOrAfter(26, 'FREQ=MONTHLY'), account: 'main', to: 'easy', amount: 15_000, growth: 1.02, category: 'Savings', payee: 'Harbour Building Society' },
  { key: 'student', name: 'Student loan repayment', rrule: onOrAfter(26, 'FREQ=MONTHLY'), account: 'main', to: 'student', amount: 15_000, growth: 1.03, category: 'Loan repayment', payee: 'Student Loans Company' },
  { key: 'mortgagePay', name: 'Mortgage payment', rrule: onOrAfter(1, 'FREQ=MONTHLY'), account: 'joint', to: 'mortgage', amount: 0, growth: 1, category: 'Mortgage payment', payee: 'Harbour Building Society', from: 0.3 },
  { key: 'carPay', name: 'Car loan payment', rrule: onOrAfter(5, 'FREQ=MONTHLY'), account: 'main', to: 'car', amount: 0, growth: 1, category: 'Loan repayment', payee: 'Northgate Bank', from: 0.45 },
];

export interface AssetSpec {
  readonly symbol: string;
  readonly name: string;
  readonly kind: AssetKind;
  readonly currency: 'GBP' | 'USD';
  readonly provider: 'yahoo' | 'coingecko' | 'manual';
  /** Start price in the asset's currency. */
  readonly price: number;
  /** Annual drift and volatility of the log price. */
  readonly mu: number;
  readonly sigma: number;
  /** Annual dividend yield, paid quarterly. */
  readonly yield: number;
  /** Accounts that buy it. */
  readonly accounts: readonly string[];
}

const ISA = ['isa', 'lisa'];
export const ASSET_SPECS: readonly AssetSpec[] = [
  { symbol: 'VWRL.L', name: 'Vanguard FTSE All-World UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 58.2, mu: 0.08, sigma: 0.15, yield: 0.018, accounts: ISA },
  { symbol: 'VUSA.L', name: 'Vanguard S&P 500 UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 38.5, mu: 0.1, sigma: 0.17, yield: 0.012, accounts: ISA },
  { symbol: 'VUKE.L', name: 'Vanguard FTSE 100 UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 28.1, mu: 0.03, sigma: 0.14, yield: 0.037, accounts: ISA },
  { symbol: 'VMID.L', name: 'Vanguard FTSE 250 UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 29.4, mu: 0.04, sigma: 0.18, yield: 0.028, accounts: ISA },
  { symbol: 'ISF.L', name: 'iShares Core FTSE 100 UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 6.62, mu: 0.03, sigma: 0.14, yield: 0.036, accounts: ['isa'] },
  { symbol: 'IUKD.L', name: 'iShares UK Dividend UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 7.45, mu: 0.01, sigma: 0.16, yield: 0.055, accounts: ['isa'] },
  { symbol: 'VFEM.L', name: 'Vanguard FTSE Emerging Markets UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 41.3, mu: 0.04, sigma: 0.19, yield: 0.025, accounts: ISA },
  { symbol: 'SGLN.L', name: 'iShares Physical Gold ETC', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 22.9, mu: 0.07, sigma: 0.14, yield: 0, accounts: ['isa'] },
  { symbol: 'IGLT.L', name: 'iShares Core UK Gilts UCITS ETF', kind: 'bond', currency: 'GBP', provider: 'yahoo', price: 12.8, mu: 0.005, sigma: 0.08, yield: 0.025, accounts: ISA },
  { symbol: 'VAGP.L', name: 'Vanguard Global Aggregate Bond UCITS ETF', kind: 'bond', currency: 'GBP', provider: 'yahoo', price: 24.6, mu: 0.01, sigma: 0.06, yield: 0.02, accounts: ISA },
  { symbol: 'HMWO.L', name: 'HSBC MSCI World UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 17.2, mu: 0.085, sigma: 0.15, yield: 0.015, accounts: ['isa'] },
  { symbol: 'CSP1.L', name: 'iShares Core S&P 500 UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 190.4, mu: 0.1, sigma: 0.17, yield: 0, accounts: ['isa'] },
  { symbol: 'EQQQ.L', name: 'Invesco EQQQ Nasdaq-100 UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'yahoo', price: 118.7, mu: 0.13, sigma: 0.22, yield: 0.004, accounts: ['isa'] },
  { symbol: 'BPN-TR2050', name: 'Beacon Target Retirement 2050 Fund', kind: 'fund', currency: 'GBP', provider: 'manual', price: 1.842, mu: 0.07, sigma: 0.13, yield: 0, accounts: ['pension'] },
  { symbol: 'BPN-GEI', name: 'Beacon Global Equity Index Fund', kind: 'fund', currency: 'GBP', provider: 'manual', price: 2.315, mu: 0.085, sigma: 0.15, yield: 0, accounts: ['pension'] },
  { symbol: 'BPN-ETH', name: 'Beacon Ethical Global Fund', kind: 'fund', currency: 'GBP', provider: 'manual', price: 1.507, mu: 0.075, sigma: 0.16, yield: 0, accounts: ['pension'] },
  { symbol: 'BPN-SCB', name: 'Beacon Sterling Corporate Bond Fund', kind: 'bond', currency: 'GBP', provider: 'manual', price: 1.128, mu: 0.015, sigma: 0.07, yield: 0, accounts: ['pension'] },
  { symbol: 'VLS80', name: 'Vanguard LifeStrategy 80% Equity Fund', kind: 'fund', currency: 'GBP', provider: 'manual', price: 176.2, mu: 0.065, sigma: 0.12, yield: 0, accounts: ['sipp'] },
  { symbol: 'VLS60', name: 'Vanguard LifeStrategy 60% Equity Fund', kind: 'fund', currency: 'GBP', provider: 'manual', price: 161.8, mu: 0.05, sigma: 0.1, yield: 0, accounts: ['sipp'] },
  { symbol: 'VFTSEGAC', name: 'Vanguard FTSE Global All Cap Index Fund', kind: 'fund', currency: 'GBP', provider: 'manual', price: 142.5, mu: 0.085, sigma: 0.15, yield: 0, accounts: ['sipp'] },
  { symbol: 'LGPROP', name: 'L&G UK Property Fund', kind: 'fund', currency: 'GBP', provider: 'manual', price: 0.532, mu: 0.0, sigma: 0.09, yield: 0, accounts: ['sipp'] },
  { symbol: 'AZN.L', name: 'AstraZeneca plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 45.6, mu: 0.09, sigma: 0.22, yield: 0.025, accounts: ['gia'] },
  { symbol: 'ULVR.L', name: 'Unilever plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 33.2, mu: 0.03, sigma: 0.18, yield: 0.034, accounts: ['gia'] },
  { symbol: 'SHEL.L', name: 'Shell plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 19.9, mu: 0.03, sigma: 0.27, yield: 0.045, accounts: ['gia'] },
  { symbol: 'HSBA.L', name: 'HSBC Holdings plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 6.1, mu: 0.03, sigma: 0.25, yield: 0.055, accounts: ['gia'] },
  { symbol: 'LLOY.L', name: 'Lloyds Banking Group plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 0.58, mu: 0.0, sigma: 0.28, yield: 0.05, accounts: ['gia'] },
  { symbol: 'BP.L', name: 'BP plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 4.55, mu: 0.01, sigma: 0.3, yield: 0.05, accounts: ['gia'] },
  { symbol: 'RIO.L', name: 'Rio Tinto plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 30.1, mu: 0.05, sigma: 0.27, yield: 0.06, accounts: ['gia'] },
  { symbol: 'GSK.L', name: 'GSK plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 15.7, mu: 0.02, sigma: 0.2, yield: 0.045, accounts: ['gia'] },
  { symbol: 'DGE.L', name: 'Diageo plc', kind: 'stock', currency: 'GBP', provider: 'yahoo', price: 21.9, mu: 0.03, sigma: 0.2, yield: 0.028, accounts: ['gia'] },
  { symbol: 'AAPL', name: 'Apple Inc.', kind: 'stock', currency: 'USD', provider: 'yahoo', price: 28.9, mu: 0.18, sigma: 0.28, yield: 0.006, accounts: ['gia'] },
  { symbol: 'MSFT', name: 'Microsoft Corporation', kind: 'stock', currency: 'USD', provider: 'yahoo', price: 60.2, mu: 0.2, sigma: 0.25, yield: 0.009, accounts: ['gia'] },
  { symbol: 'NVDA', name: 'NVIDIA Corporation', kind: 'stock', currency: 'USD', provider: 'yahoo', price: 68.5, mu: 0.3, sigma: 0.45, yield: 0.001, accounts: ['gia'] },
  { symbol: 'AMZN', name: 'Amazon.com, Inc.', kind: 'stock', currency: 'USD', provider: 'yahoo', price: 38.4, mu: 0.15, sigma: 0.32, yield: 0, accounts: ['gia'] },
  { symbol: 'GOOGL', name: 'Alphabet Inc. Class A', kind: 'stock', currency: 'USD', provider: 'yahoo', price: 40.1, mu: 0.15, sigma: 0.28, yield: 0.003, accounts: ['gia'] },
  { symbol: 'KO', name: 'The Coca-Cola Company', kind: 'stock', currency: 'USD', provider: 'yahoo', price: 41.6, mu: 0.05, sigma: 0.15, yield: 0.03, accounts: ['gia'] },
  { symbol: 'JNJ', name: 'Johnson & Johnson', kind: 'stock', currency: 'USD', provider: 'yahoo', price: 115.3, mu: 0.04, sigma: 0.16, yield: 0.028, accounts: ['gia'] },
  { symbol: 'BTC', name: 'Bitcoin', kind: 'crypto', currency: 'GBP', provider: 'coingecko', price: 560, mu: 0.45, sigma: 0.7, yield: 0, accounts: ['crypto'] },
  { symbol: 'ETH', name: 'Ethereum', kind: 'crypto', currency: 'GBP', provider: 'coingecko', price: 8.9, mu: 0.5, sigma: 0.85, yield: 0, accounts: ['crypto'] },
  { symbol: 'SOL', name: 'Solana', kind: 'crypto', currency: 'GBP', provider: 'coingecko', price: 1.2, mu: 0.5, sigma: 1.0, yield: 0, accounts: ['crypto'] },
  { symbol: 'ADA', name: 'Cardano', kind: 'crypto', currency: 'GBP', provider: 'coingecko', price: 0.035, mu: 0.3, sigma: 0.95, yield: 0, accounts: ['crypto'] },
];

/** The one share split in the history: symbol, where it falls, new shares per old share. */
export const SPLIT = { symbol: 'NVDA', at: 0.72, ratio: 4 } as const;

export const HOLIDAY_PLACES: Readonly<Record<'EUR' | 'USD', readonly string[]>> = {
  EUR: ['Lisbon', 'Barcelona', 'Crete', 'Provence', 'Tuscany', 'Berlin', 'Amsterdam', 'Mallorca'],
  USD: ['New York', 'Florida', 'California', 'Boston', 'Chicago'],
};
