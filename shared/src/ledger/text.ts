/** Text helpers for matching descriptions and merchants: plain, lower-case, no punctuation. */

export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  const s = normaliseText(text).replace(/ /g, '');
  for (let i = 0; i < s.length - 1; i++) {
    const g = s.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/** Sørensen–Dice similarity of character bigrams, 0 (nothing shared) to 1 (same letters and digits). */
export function textSimilarity(a: string, b: string): number {
  const ga = bigrams(a);
  const gb = bigrams(b);
  let total = 0;
  for (const n of ga.values()) total += n;
  for (const n of gb.values()) total += n;
  if (total === 0) return normaliseText(a) === normaliseText(b) ? 1 : 0;
  let shared = 0;
  for (const [g, n] of ga) shared += Math.min(n, gb.get(g) ?? 0);
  return (2 * shared) / total;
}

const PROCESSOR_PREFIX = /^(sq|sumup|sp|pp|paypal|zettle|izettle|iz|amzn mktp|crv|clp|stripe)\s*\*\s*/i;
const COMPANY_SUFFIX = /\b(ltd|limited|plc|llc|inc|co|uk|gb)\b/g;

/**
 * A merchant name reduced to what identifies the business: card-processor prefixes ("SQ *"), card
 * masks, reference numbers, dates and company suffixes removed. "TESCO STORES 3021" and "Tesco Stores"
 * both become "tesco stores".
 */
export function normaliseMerchant(name: string): string {
  const stripped = name
    .trim()
    .replace(PROCESSOR_PREFIX, '')
    .replace(/\*{2,}\d*/g, ' ')
    .replace(/\b\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?\b/g, ' ')
    .replace(/#?\d{3,}/g, ' ');
  return normaliseText(stripped).replace(COMPANY_SUFFIX, ' ').replace(/\s+/g, ' ').trim();
}
