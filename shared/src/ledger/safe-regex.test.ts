import { describe, expect, it } from 'vitest';
import { UnsafePatternError, compileSafePattern } from './safe-regex.ts';

describe('safe patterns', () => {
  it('accepts ordinary patterns, case-insensitive', () => {
    for (const p of ['^tesco', 'netflix|spotify', 'amzn.*mktp', '^card \\d{4}$', '[a-z]+ ltd', '(ref|id):? ?\\d{2,8}', '(?:direct debit) to', '(?<who>acme)', 'a{3}', 'x[*+]y', 'a\\*b*']) {
      expect(() => compileSafePattern(p), p).not.toThrow();
    }
    expect(compileSafePattern('^tesco').test('TESCO STORES')).toBe(true);
  });

  it('refuses the catastrophic shapes', () => {
    const refused: [string, RegExp][] = [
      ['(a+)+$', /repeated group/],
      ['(a*)*b', /repeated group/],
      ['(a|aa)*c', /repeated group/],
      ['(x(a|b))+', /repeated group/],
      ['.*.*x', /one unbounded/],
      ['\\w+\\s+\\w+', /one unbounded/],
      ['a{2,}b+', /one unbounded/],
      ['a?a?a?a?a?a?a?a?a?a?aaaaaaaaaa', /optional or counted/],
      ['a{0,500}', /limited to 100/],
      ['(a)\\1', /Backreferences/],
      ['(?<x>a)\\k<x>', /Backreferences/],
      ['foo(?=bar)', /Lookahead/],
      ['(?<!x)y', /Lookahead/],
      ['(unclosed', /valid pattern/],
      ['', /empty/],
      ['a'.repeat(101), /100 characters/],
    ];
    for (const [p, why] of refused) expect(() => compileSafePattern(p), p).toThrow(why);
    expect(() => compileSafePattern('(a+)+')).toThrow(UnsafePatternError);
  });

  it('runs the worst accepted shapes to a result on the longest allowed description', () => {
    // Worst cases that pass the checks, run against 500 characters that do not match.
    const input = 'a'.repeat(500);
    for (const p of ['.*x', 'a{0,99}a{0,9}x', '(ab)*x', '[a-z]+\\d']) {
      const re = compileSafePattern(p);
      expect(re.test(input)).toBe(false);
    }
  });
});
