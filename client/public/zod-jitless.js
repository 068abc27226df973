// Runs before the app's modules (a classic script, first in index.html): zod's object schemas probe for
// `new Function` when they are built, and under the app's CSP (no 'unsafe-eval') the probe is a reported
// violation even though zod catches it (Chromium's Issues panel; Lighthouse best-practices). jitless skips the
// probe and zod's compiled parsers; parsing is the same. Zod reads its configuration from this global when it
// loads. The workers set the same at the top of their entries (client/src/workers/zod-jitless.ts).
globalThis.__zod_globalConfig = Object.assign({}, globalThis.__zod_globalConfig, { jitless: true });
