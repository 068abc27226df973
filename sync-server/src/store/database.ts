/**
 * One interface over the two storage backends. Every request runs inside `withUser`: a transaction
 * as the runtime role `mymidas_app` with `app.user_id` set locally, so row-level security decides
 * what it can see. `asOwner` is for migrations and operator commands only.
 */
export type SqlValue = string | number | boolean | null | Uint8Array | Date | readonly unknown[] | Record<string, unknown>;

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly SqlValue[]): Promise<QueryResult<T>>;
}

export type StorageBackend = 'pglite' | 'postgres';

export interface Database {
  readonly backend: StorageBackend;
  /** A transaction as mymidas_app with the request's user id set (or none, for pre-auth lookups). */
  withUser<T>(userId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** A transaction as the owning role: migrations, key rotation, audit verification. */
  asOwner<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const RUNTIME_ROLE = 'mymidas_app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertUserId(userId: string | null): void {
  if (userId !== null && !UUID.test(userId)) throw new Error('user id must be a UUID');
}

/** Both drivers' values, made alike: bytea → Uint8Array, int8 → number (safe range checked). */
export function normaliseRow<T>(row: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'bigint') {
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`${key} exceeds the safe integer range`);
      row[key] = Number(value);
    } else if (value instanceof Uint8Array && value.constructor !== Uint8Array) {
      // node-postgres gives Buffers; hand out plain Uint8Arrays so callers never depend on the driver.
      row[key] = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return row as T;
}
