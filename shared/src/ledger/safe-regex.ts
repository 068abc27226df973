/**
 * User-written patterns for categorisation rules, checked before use so that no pattern can make
 * the regex engine backtrack for seconds (JavaScript has no regex timeout). Measured in V8: `.*.*x`
 * against 500 letters takes ~150 ms, `.*.*.*x` ~15 s — so the rule is about the shape of the pattern:
 *
 * - at most 100 characters;
 * - no backreferences and no lookaround;
 * - at most ONE unbounded repetition (`*`, `+`, `{n,}`) in the whole pattern;
 * - bounded repetitions `{n,m}` / `?` at most 100 each, and their (m+1) product at most 1000;
 * - a repeated group may not itself contain a repetition or an alternation (`(a+)+`, `(a|ab)*`).
 *
 * Several conditions on one rule are ANDed, so "foo.*bar" is better written as two `contains`.
 * Patterns are always compiled case-insensitive and without other flags.
 */

export const MAX_PATTERN_LENGTH = 100;
const MAX_BOUND = 100;
const MAX_BOUNDED_PRODUCT = 1000;

export class UnsafePatternError extends Error {
  override name = 'UnsafePatternError';
}

interface Frame {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

type Last = { kind: 'atom' } | { kind: 'group'; frame: Frame } | null;

const QUANT = /^\{(\d+)(,(\d*))?\}/;

/** Throws UnsafePatternError saying why a pattern is refused; returns the compiled RegExp otherwise. */
export function compileSafePattern(pattern: string): RegExp {
  if (pattern.length === 0) throw new UnsafePatternError('The pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new UnsafePatternError(`Patterns are limited to ${MAX_PATTERN_LENGTH} characters`);
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, 'i');
  } catch (e) {
    throw new UnsafePatternError(`Not a valid pattern: ${(e as Error).message}`);
  }
  const stack: Frame[] = [{ hasQuantifier: false, hasAlternation: false }];
  const top = () => stack[stack.length - 1] as Frame;
  let last: Last = null;
  let unbounded = 0;
  let product = 1;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (/[1-9]/.test(n) || (n === 'k' && pattern[i + 2] === '<')) throw new UnsafePatternError('Backreferences are not allowed');
      i += 2;
      last = { kind: 'atom' };
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j + 1;
      last = { kind: 'atom' };
      continue;
    }
    if (c === '(') {
      if (/^\(\?(=|!|<=|<!)/.test(pattern.slice(i))) throw new UnsafePatternError('Lookahead and lookbehind are not allowed');
      const named = /^\(\?<[A-Za-z_$][\w$]*>/.exec(pattern.slice(i));
      i += named ? named[0].length : pattern.startsWith('(?:', i) ? 3 : 1;
      stack.push({ hasQuantifier: false, hasAlternation: false });
      last = null;
      continue;
    }
    if (c === ')') {
      const frame = stack.pop() as Frame;
      top().hasQuantifier ||= frame.hasQuantifier;
      top().hasAlternation ||= frame.hasAlternation;
      i += 1;
      last = { kind: 'group', frame };
      continue;
    }
    if (c === '|') {
      top().hasAlternation = true;
      i += 1;
      last = null;
      continue;
    }
    let max: number | null = null;
    let length = 1;
    if (c === '*' || c === '+') max = Infinity;
    else if (c === '?') max = 1;
    else if (c === '{') {
      const q = QUANT.exec(pattern.slice(i));
      if (q) {
        length = q[0].length;
        max = q[2] === undefined ? Number(q[1]) : q[3] === '' || q[3] === undefined ? Infinity : Number(q[3]);
      }
    }
    if (max === null) {
      i += 1;
      last = { kind: 'atom' };
      continue;
    }
    i += length;
    if (pattern[i] === '?') i += 1; // lazy form: same cost
    if (last?.kind === 'group' && max > 1 && (last.frame.hasQuantifier || last.frame.hasAlternation)) {
      throw new UnsafePatternError('A repeated group may not contain another repetition or an alternation');
    }
    if (max === Infinity) {
      unbounded += 1;
      if (unbounded > 1) throw new UnsafePatternError('Only one unbounded repetition (* + {n,}) is allowed per pattern; use several conditions instead');
    } else {
      if (max > MAX_BOUND) throw new UnsafePatternError(`Repetition counts are limited to ${MAX_BOUND}`);
      product *= max + 1;
      if (product > MAX_BOUNDED_PRODUCT) throw new UnsafePatternError('Too many optional or counted parts in one pattern');
    }
    top().hasQuantifier = true;
    last = null;
  }
  return compiled;
}
