import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The lint rule that keeps each workspace behind its package entry points (eslint.config.js): a path
 * import into another workspace's src/ fails `npm run lint`; the package name passes.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('imports across workspaces', { timeout: 60_000 }, () => {
  it('fail lint when client code reaches into shared/src or sync-server/src by path', async () => {
    expect(await importErrors('client/src/features/example/example.ts', "import { addDays } from '../../../../shared/src/date/date.ts';\nexport const f = addDays;\n"))
      .toEqual([expect.stringContaining('@mymidas/shared')]);
    expect(await importErrors('client/src/features/example/Example.vue', "<script setup lang=\"ts\">\nimport { addDays } from '../../../../shared/src/date/date.ts';\nconst f = addDays;\n</script>\n<template><p>{{ f }}</p></template>\n"))
      .toHaveLength(1);
    expect(await importErrors('client/src/features/example/example.ts', "export { createApp } from '../../../../sync-server/src/http/app.ts';\n")).not.toHaveLength(0);
  });

  it('fail lint when the server or shared reaches into another workspace by path', async () => {
    expect(await importErrors('sync-server/src/example/example.ts', "import { newId } from '../../../client/src/db/ids.ts';\nexport const f = newId;\n")).not.toHaveLength(0);
    expect(await importErrors('sync-server/src/example/example.ts', "import { addDays } from '../../../shared/src/date/date.ts';\nexport const f = addDays;\n")).toHaveLength(1);
    expect(await importErrors('shared/src/example/example.ts', "import { createApp } from '../../../sync-server/src/http/app.ts';\nexport const f = createApp;\n")).not.toHaveLength(0);
  });

  it('fail lint when a test, e2e page or bench imports shared by path, but let them reach app internals', async () => {
    expect(await importErrors('tests/example.test.ts', "import { addDays } from '../shared/src/date/date.ts';\nexport const f = addDays;\n")).toHaveLength(1);
    expect(await importErrors('bench/suites/example.ts', "import { generateHousehold } from '../../shared/src/demo/household.ts';\nexport const f = generateHousehold;\n")).toHaveLength(1);
    expect(await importErrors('e2e/example/page.ts', "import { openReplica } from '../../client/src/db/database.ts';\nimport { createApp } from '../../sync-server/src/http/app.ts';\nexport const f = [openReplica, createApp];\n")).toEqual([]);
  });

  it('pass the same imports by package name', async () => {
    expect(await importErrors('client/src/features/example/example.ts', "import { addDays } from '@mymidas/shared/date';\nimport { compileRule } from '@mymidas/shared/ledger/rules';\nexport const f = [addDays, compileRule];\n")).toEqual([]);
    expect(await importErrors('tests/example.test.ts', "import { addDays } from '@mymidas/shared/date';\nexport const f = addDays;\n")).toEqual([]);
  });
});
