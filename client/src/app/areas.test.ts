import { describe, expect, it } from 'vitest';
import { COLLECTION_NAMES } from '@mymidas/shared/schema';
import { AREA_IDS, AREAS, COLLECTION_LABELS } from './areas.ts';

describe('product areas', () => {
  it('lists every area once, each with its own path', () => {
    expect(AREAS.map((a) => a.id)).toEqual([...AREA_IDS]);
    expect(new Set(AREAS.map((a) => a.path)).size).toBe(AREAS.length);
  });

  it('fits the phone bottom bar: four areas plus "More"', () => {
    expect(AREAS.filter((a) => a.primaryOnPhone)).toHaveLength(4);
  });

  it('says what every unbuilt area will show and names only collections that exist', () => {
    for (const area of AREAS.filter((a) => a.id !== 'settings')) {
      expect(area.planned.length, area.id).toBeGreaterThan(0);
      expect(area.collections.length, area.id).toBeGreaterThan(0);
      for (const c of area.collections) expect(COLLECTION_NAMES).toContain(c);
    }
  });

  it('has a label for every collection of the data model', () => {
    expect(Object.keys(COLLECTION_LABELS).sort()).toEqual([...COLLECTION_NAMES].sort());
  });
});
