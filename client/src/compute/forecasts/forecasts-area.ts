import { lazyComputeArea } from '../compute-area.ts';
import type { ForecastHandlers } from './forecast-handlers.ts';

/** The forecasts area of the compute worker (registry.ts); its code (and later its WASM) loads on the first forecast call. */
export const forecastsArea = lazyComputeArea<ForecastHandlers>(
  'forecasts',
  { forecastOpenCache: true, forecastSetInputs: true, forecastRun: true, forecastCancel: true, forecastProgress: true, forecastMonteCarlo: true },
  async () => {
    const { createForecastHandlers } = await import('./forecast-handlers.ts');
    return (context) => createForecastHandlers(context.snapshot, context.invest);
  },
);
