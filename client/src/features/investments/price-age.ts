import { daysBetween } from '@mymidas/shared/date';

/**
 * How old a price is, in words for the holdings and the asset page: "price from today", "price from
 * yesterday", "price from 3 days ago". Days are calendar days between the price's date and today.
 */
export function priceAgeText(priceDate: string, today: string): string {
  const days = daysBetween(priceDate, today);
  if (days <= 0) return 'price from today';
  if (days === 1) return 'price from yesterday';
  return `price from ${days} days ago`;
}

/** The portfolio's value leaves out holdings without a price: said in a sentence, or null when none. */
export function incompleteText(holdings: readonly { readonly marketValue: number | null }[]): string | null {
  const missing = holdings.filter((h) => h.marketValue === null).length;
  if (missing === 0) return null;
  return `Incomplete: ${missing} ${missing === 1 ? 'holding has' : 'holdings have'} no price yet and ${missing === 1 ? 'is' : 'are'} not in the value.`;
}
