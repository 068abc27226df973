import type { AugursWasm } from '../types.ts';

/**
 * Test helper: the augurs WASM bytes read from node_modules, as Node tests and bench suites pass them to
 * initForecasting (the compute worker fetches the same files instead). `node:fs` is loaded by a computed
 * specifier because the shared workspace has no Node types.
 */
export async function augursWasmFromNodeModules(): Promise<AugursWasm> {
  const fsName = 'node:fs';
  const fs = (await import(/* @vite-ignore */ fsName)) as { readFileSync(path: URL): Uint8Array; existsSync(path: URL): boolean };
  const candidates = ['../../../../node_modules/@bsull/augurs/', '../../../node_modules/@bsull/augurs/'].map((p) => new URL(p, import.meta.url));
  const dir = candidates.find((d) => fs.existsSync(new URL('prophet_bg.wasm', d)));
  if (!dir) throw new Error('@bsull/augurs is not installed in node_modules');
  const read = (name: string) => fs.readFileSync(new URL(`${name}_bg.wasm`, dir));
  return { prophet: read('prophet'), mstl: read('mstl'), ets: read('ets') };
}
