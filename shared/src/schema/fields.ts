import { z } from 'zod';
import { CURRENCY_CODE } from '../money/currencies.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Client-made ids (UUIDv7 in practice; any RFC 4122 layout is accepted). */
export const id = () => z.string().max(36).regex(UUID, 'must be a lowercase UUID');
export const optionalRef = () => id().nullable();

/** A calendar date in the user's own time zone (settings.timezone), never shifted through UTC. */
export const calendarDate = () =>
  z.string().max(10).regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date as YYYY-MM-DD');
export const calendarMonth = () => z.string().max(7).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');

/** An instant with an explicit offset (ISO 8601, e.g. 2026-11-25T06:45:02.123Z). */
export const instant = () => z.iso.datetime({ offset: true });

export const currency = () => z.string().length(3).regex(CURRENCY_CODE, 'must be an ISO 4217 code such as GBP');

/** Integer minor units: pence, cents, yen. Never a float. */
export const minorUnits = () => z.number().int('must be whole minor units').min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** Quantities, prices and rates that get multiplied: exact decimal text, parsed with decimal.js. */
export const decimalText = () => z.string().max(40).regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number as text');

/**
 * Hybrid logical clock stamp of the last edit: 13-digit ms, 4-hex counter, node id. Sorting the
 * strings sorts the stamps, so a skewed device clock cannot win forever (see shared/src/sync).
 */
export const hlc = () => z.string().max(64).regex(/^\d{13}:[0-9a-f]{4}:[0-9a-z-]{1,36}$/, 'must be an HLC stamp');

export const shortText = (max = 200) => z.string().max(max);
