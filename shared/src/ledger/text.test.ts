import { describe, expect, it } from 'vitest';
import { normaliseMerchant, normaliseText, textSimilarity } from './text.ts';

describe('text matching', () => {
  it('normalises case, accents and punctuation', () => {
    expect(normaliseText('  Café-Nero, LONDON!! ')).toBe('cafe nero london');
  });

  it('scores similarity from 0 to 1', () => {
    expect(textSimilarity('Transfer to savings', 'TRANSFER TO SAVINGS')).toBe(1);
    expect(textSimilarity('abc', 'xyz')).toBe(0);
    const close = textSimilarity('Transfer to savings', 'Transfer from current');
    const far = textSimilarity('Transfer to savings', 'Card repayment');
    expect(close).toBeGreaterThan(far);
    expect(textSimilarity('', '')).toBe(1);
    expect(textSimilarity('a', 'b')).toBe(0);
  });

  it('reduces merchant names to the business', () => {
    expect(normaliseMerchant('TESCO STORES 3021')).toBe('tesco stores');
    expect(normaliseMerchant('Tesco Stores')).toBe('tesco stores');
    expect(normaliseMerchant('SQ *COFFEE CORNER')).toBe('coffee corner');
    expect(normaliseMerchant('PAYPAL *NETFLIX.COM')).toBe('netflix com');
    expect(normaliseMerchant('AMAZON UK LTD ****1234 12/03')).toBe('amazon');
    expect(normaliseMerchant('Pret A Manger #0452')).toBe('pret a manger');
  });
});
