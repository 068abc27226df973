/** `@mymidas/shared/budget`: the budget engine (issue 20). Pure; run by the compute worker over the snapshot. */
export type * from './types.ts';
export { budgetHistory, budgetPage, budgetState } from './engine.ts';
export { BudgetInputError, checkPeriodRule, periodContaining, periodDays, shiftPeriod } from './periods.ts';
export {
  HISTORY_MAX_PERIODS, HISTORY_MIN_PERIODS, budgetForecast, dailyStats, normalCdf, overspendProbability, velocityProjection,
} from './forecast.ts';
export type { ForecastFacts } from './forecast.ts';
export { PROJECTED_ALERT_PROBABILITY, alertCandidates } from './alerts.ts';
