import { COLLECTIONS, type CollectionName } from '../schema/registry.ts';

/**
 * A pull position (docs/sync-protocol.md, "Pull"): the server-assigned sequence number of the last
 * document a client has seen, with that document's id as tie-break. On the wire it is the text
 * `<seq>:<id>`; RxDB stores it as this object (it merges checkpoints with Object.assign).
 *
 * The id part has the shape of the collection's own ids — UUIDs for everything a device creates, text
 * such as `price:VWRL:2026-01-02` or `fx:GBP/EUR:2026-01-02` for quotes — so one codec, read from the
 * collection's schema, serves every collection on both sides.
 */
export interface PullCheckpoint {
  readonly seq: number;
  readonly id: string;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const MAX_SEQ_DIGITS = 15;

/** Whether a collection's ids are UUIDs (a uuid column on the server) or free text (quotes). */
export function idKind(collection: CollectionName): 'uuid' | 'text' {
  const id = COLLECTIONS[collection].schema.shape.id;
  return id.safeParse('not-a-uuid').success ? 'text' : 'uuid';
}

export function encodeCheckpoint(checkpoint: PullCheckpoint | null | undefined): string | null {
  if (!checkpoint || !Number.isSafeInteger(checkpoint.seq) || checkpoint.seq < 0 || typeof checkpoint.id !== 'string') return null;
  return `${checkpoint.seq}:${checkpoint.id}`;
}

/**
 * Reads `<seq>:<id>` for a collection; `undefined`, `null` and `''` mean "from the start" (null). The
 * sequence holds digits only, so the first colon ends it and the rest, colons and all, is the id, which
 * must be a valid id of that collection. Throws CheckpointError otherwise.
 */
export function parseCheckpoint(collection: CollectionName, text: unknown): PullCheckpoint | null {
  if (text === undefined || text === null || text === '') return null;
  if (typeof text !== 'string') throw new CheckpointError('checkpoint must be "<seq>:<id>" as returned by a previous pull');
  const colon = text.indexOf(':');
  const seqText = colon < 0 ? '' : text.slice(0, colon);
  if (!/^\d+$/.test(seqText) || seqText.length > MAX_SEQ_DIGITS) {
    throw new CheckpointError('checkpoint must be "<seq>:<id>" as returned by a previous pull');
  }
  const id = text.slice(colon + 1);
  if (!COLLECTIONS[collection].schema.shape.id.safeParse(id).success) {
    throw new CheckpointError(`checkpoint id "${id.slice(0, 80)}" is not an id of ${collection}`);
  }
  return { seq: Number(seqText), id };
}

export function sameCheckpoint(a: PullCheckpoint | null | undefined, b: PullCheckpoint | null | undefined): boolean {
  return (a ?? null) === null ? (b ?? null) === null : !!b && a!.seq === b.seq && a!.id === b.id;
}
