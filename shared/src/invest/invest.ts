/** `@mymidas/shared/invest`: holdings, returns and UK capital gains (issue 21). Pure; run by the compute worker. */
export * from './types.ts';
export * from './gains.ts';
export { holdingsAt, AVERAGE_COST_PLACES } from './holdings.ts';
export { valueSeries, returnsFor, dailyReturns, portfolioReport, ANNUALISE_MIN_DAYS } from './returns.ts';
export type { DailyFigures } from './returns.ts';
export { xirr } from './xirr.ts';
export { InvestInputError } from './prepare.ts';
export { investInputsFromDocs } from './inputs.ts';
