import { describe, expect, it } from 'vitest';
import { forecast } from './series-forecast.ts';
import { initForecasting, isForecastingReady } from './wasm.ts';
import { ForecastNotInitialisedError } from './types.ts';
import type { AugursWasm } from './types.ts';
import { addDays } from '../date/date.ts';

// This file never initialises augurs (vitest gives each test file its own module instances).
describe('before initForecasting', () => {
  const points = Array.from({ length: 40 }, (_, i) => ({ date: addDays('2026-01-01', i), value: (i % 7) + 1 }));

  it('methods that need augurs refuse with ForecastNotInitialisedError; seasonal naive and ARIMA still work', async () => {
    expect(isForecastingReady()).toBe(false);
    await expect(forecast(points, { frequency: 'day', horizon: 7 })).rejects.toThrow(ForecastNotInitialisedError);
    await expect(forecast(points, { frequency: 'day', horizon: 7, method: 'ets' })).rejects.toThrow(/call initForecasting/);
    expect((await forecast(points, { frequency: 'day', horizon: 7, method: 'seasonal-naive' })).points).toHaveLength(7);
    expect((await forecast(points, { frequency: 'day', horizon: 7, method: 'arima' })).method).toBe('arima');
  });

  it('initForecasting refuses missing bytes', () => {
    expect(() => initForecasting({ prophet: new Uint8Array(0) } as unknown as AugursWasm)).toThrow(/prophet_bg.wasm, mstl_bg.wasm and ets_bg.wasm/);
    expect(isForecastingReady()).toBe(false);
  });
});
