import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The modules `start.ts` loads when it starts, following only imports that run at load time: `import … from`
 * and `export … from` (not `import type`, not `await import()` — those load on demand). Relative paths are
 * followed; a package is recorded by its name and not entered.
 */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  while (pending.length) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (existsSync(target)) pending.push(target);
    }
  }
  return { files, packages };
}

describe('the server on PostgreSQL does not load PGlite', () => {
  it('nothing start.ts imports at load time reaches PGlite: it is imported only where the embedded database is opened', () => {
    const { files, packages } = staticGraph(resolve(here, 'start.ts'));
    // The walk does reach the server's modules (a walk that found nothing would pass trivially).
    expect(files).toContain(resolve(here, 'services.ts'));
    expect(files).toContain(resolve(here, 'backup/sql-backup.ts'));
    expect(packages).toContain('pg');
    expect([...files].filter((f) => f.endsWith('pglite-database.ts'))).toEqual([]);
    expect([...packages].filter((p) => p.startsWith('@electric-sql/'))).toEqual([]);
  });

  it('the walk sees a static import of PGlite where there is one', () => {
    const { files, packages } = staticGraph(resolve(here, 'testing/harness.ts'));
    expect(files).toContain(resolve(here, 'store/pglite-database.ts'));
    expect(packages).toContain('@electric-sql/pglite');
  });
});
