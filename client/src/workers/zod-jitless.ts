/**
 * The first import of each worker entry (a worker is one bundle, so this runs before any zod schema is built):
 * the same setting as client/public/zod-jitless.js gives the page — zod without its `new Function` probe, which
 * the app's CSP reports as a violation.
 */
const scope = globalThis as { __zod_globalConfig?: Record<string, unknown> };
scope.__zod_globalConfig = { ...scope.__zod_globalConfig, jitless: true };

export {};
