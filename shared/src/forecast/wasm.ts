import * as etsModule from '@bsull/augurs/ets';
import * as mstlModule from '@bsull/augurs/mstl';
import * as prophetModule from '@bsull/augurs/prophet';
import { prophetOptimizer } from './prophet-optimizer.ts';
import { ForecastNotInitialisedError } from './types.ts';
import type { AugursWasm, InitForecasting, ProphetOptimizerLike } from './types.ts';

/**
 * The augurs WASM modules are instantiated once, synchronously, from bytes the caller supplies: Node
 * reads them from node_modules/@bsull/augurs/*_bg.wasm, the compute worker fetches them from the
 * bundler's asset URLs. Nothing here touches the file system or the network.
 */

let ready = false;
let optimizer: ProphetOptimizerLike = prophetOptimizer;

export const initForecasting: InitForecasting = (wasm: AugursWasm, options = {}) => {
  if (!wasm || !wasm.prophet || !wasm.mstl || !wasm.ets) {
    throw new ForecastNotInitialisedError('initForecasting needs the bytes of prophet_bg.wasm, mstl_bg.wasm and ets_bg.wasm');
  }
  if (!ready) {
    prophetModule.initSync({ module: wasm.prophet });
    mstlModule.initSync({ module: wasm.mstl });
    etsModule.initSync({ module: wasm.ets });
    ready = true;
  }
  if (options.prophetOptimizer) optimizer = options.prophetOptimizer;
};

export function isForecastingReady(): boolean {
  return ready;
}

export function requireAugurs(method: string): { prophet: typeof prophetModule; mstl: typeof mstlModule; ets: typeof etsModule; optimizer: ProphetOptimizerLike } {
  if (!ready) throw new ForecastNotInitialisedError(`${method} needs the augurs WASM modules: call initForecasting({ prophet, mstl, ets }) first`);
  return { prophet: prophetModule, mstl: mstlModule, ets: etsModule, optimizer };
}
