/**
 * @mymidas/shared/forecast: forecasting on the device (issue 24, docs/forecasts.md). Series forecasts
 * (Prophet, ETS/MSTL, seasonal ARIMA, seasonal naive) with rolling-origin backtests and calibrated bands,
 * the spending forecast, the net-worth projection, Monte Carlo and the 30-day cash flow.
 */
export * from './types.ts';
export { initForecasting, isForecastingReady } from './wasm.ts';
export { forecast } from './series-forecast.ts';
export { prophetOptimizer } from './prophet-optimizer.ts';
export { monteCarlo, estimateAssets, sampleMonthlyLogReturns, createRandom, createNormalFiller } from './montecarlo.ts';
export { cashFlow, dayToDaySpendingByAccount } from './cashflow.ts';
export { spendingForecast } from './spending.ts';
export { projectNetWorth } from './networth.ts';
