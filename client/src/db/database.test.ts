import { describe, expect, it } from 'vitest';
import { COLLECTION_NAMES, COLLECTIONS } from '@mymidas/shared/schema';
import { REPLICA_MIGRATIONS, replicaSchemas } from './database.ts';

describe('replica schema versions', () => {
  it('every version of every collection has its migration strategy, so an older replica can open', () => {
    for (const name of COLLECTION_NAMES) {
      const strategies = replicaSchemas(true, [name])[name].migrationStrategies;
      for (let version = 1; version <= COLLECTIONS[name].version; version++) expect(typeof strategies[version], `${name} version ${version}`).toBe('function');
      expect(Object.keys(strategies).map(Number).every((v) => v >= 1 && v <= COLLECTIONS[name].version), `${name}: no strategy beyond its version`).toBe(true);
    }
  });

  it('the version-1 strategies keep the document as it is (only the sealing changed)', () => {
    const doc = { id: '01939a6e-0000-7000-8000-000000000001', tags: ['a'], splits: [] };
    for (const [name, strategies] of Object.entries(REPLICA_MIGRATIONS)) {
      // Budgets changed shape in version 1: budgets-v1-migration.test.ts; quotes are dropped and pulled again: quotes-v1-migration.test.ts.
      if (name !== 'budgets' && name !== 'quotes') expect(strategies[1]!(doc, undefined as never)).toBe(doc);
    }
  });
});
