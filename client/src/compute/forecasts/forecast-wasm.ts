import type { AugursWasm } from '@mymidas/shared/forecast';

/**
 * The augurs WASM modules the forecasting engine needs (Prophet, MSTL, ETS), as the build emits them: the
 * bundler turns each `new URL(…, import.meta.url)` into an asset URL (precached by the service worker with the
 * rest of the app). Fetched and compiled asynchronously on the first forecast run, so the worker never blocks on
 * them; `initForecasting` then instantiates the compiled modules synchronously.
 */

function urls(): Record<keyof AugursWasm, URL> {
  return {
    prophet: new URL('../../../../node_modules/@bsull/augurs/prophet_bg.wasm', import.meta.url),
    mstl: new URL('../../../../node_modules/@bsull/augurs/mstl_bg.wasm', import.meta.url),
    ets: new URL('../../../../node_modules/@bsull/augurs/ets_bg.wasm', import.meta.url),
  };
}

async function compile(url: URL): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the forecasting module ${url.pathname.split('/').pop() ?? ''} could not be loaded (HTTP ${response.status})`);
  return WebAssembly.compile(await response.arrayBuffer());
}

export async function loadAugursWasm(): Promise<AugursWasm> {
  const u = urls();
  const [prophet, mstl, ets] = await Promise.all([compile(u.prophet), compile(u.mstl), compile(u.ets)]);
  return { prophet, mstl, ets };
}
