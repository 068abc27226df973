import { measureBareLoop, measureGenerator } from './generator-work.ts';

/** Browser entry for the generator suite: bundled by esbuild and loaded in headless Chromium. */
(globalThis as Record<string, unknown>).generatorBench = { measureGenerator, measureBareLoop };
