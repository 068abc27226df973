/**
 * @mymidas/shared/forecast: forecasting on the device (issue 24, docs/forecasts.md). Series forecasts
 * (Prophet, ETS/MSTL, seasonal ARIMA, seasonal naive) with rolling-origin backtests and calibrated bands,
 * the spending forecast, the net-worth projection, Monte Carlo and the 30-day cash flow.
 */
export * from './types.ts';
