import { describe, expect, it } from 'vitest';
import { incompleteText, priceAgeText } from './price-age.ts';

describe('price age and incomplete values in words', () => {
  it('says how many calendar days old a price is', () => {
    expect(priceAgeText('2026-12-04', '2026-12-04')).toBe('price from today');
    expect(priceAgeText('2026-12-03', '2026-12-04')).toBe('price from yesterday');
    expect(priceAgeText('2026-12-01', '2026-12-04')).toBe('price from 3 days ago');
    expect(priceAgeText('2026-02-27', '2026-03-02')).toBe('price from 3 days ago');
  });
  it('says when the portfolio value leaves holdings out', () => {
    expect(incompleteText([{ marketValue: 100 }])).toBeNull();
    expect(incompleteText([{ marketValue: 100 }, { marketValue: null }])).toBe('Incomplete: 1 holding has no price yet and is not in the value.');
    expect(incompleteText([{ marketValue: null }, { marketValue: null }])).toBe('Incomplete: 2 holdings have no price yet and are not in the value.');
  });
});
