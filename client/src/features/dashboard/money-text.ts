import { dateLabel } from '@mymidas/shared/date';
import { formatMoney } from '@mymidas/shared/money';

/** Minor units as text for people ("£1,234.56"); the sign is kept. */
export function moneyText(amount: number, currency: string): string {
  return formatMoney(amount, currency);
}

/** A date 'YYYY-MM-DD' as "3 Nov 2026". */
export function dayText(date: string): string {
  return dateLabel(date);
}
