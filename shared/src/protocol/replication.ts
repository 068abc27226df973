import { z } from 'zod';
import { fieldErrorSchema } from './problem.ts';

/**
 * The replication endpoints' bodies (docs/sync-protocol.md): `GET /replication/:collection/pull`,
 * `POST /replication/:collection/push`. Each document on the wire is the collection's own fields (zod
 * schemas in ../schema) plus RxDB's `_deleted`; these schemas check the envelope, and the server checks
 * every pushed document against its collection's schema.
 */

export const MAX_PULL_LIMIT = 1000;
export const DEFAULT_PULL_LIMIT = 200;
export const MAX_PUSH_ROWS = 1000;

export const wireDocSchema = z.looseObject({ id: z.string().min(1), _deleted: z.boolean() });
/** A replicated document as it crosses the wire: the collection's fields plus RxDB's `_deleted`. */
export type WireDoc = Record<string, unknown> & { id: string; _deleted: boolean };

export const pullAnswerSchema = z.object({
  documents: z.array(wireDocSchema),
  /** `<seq>:<id>` of the last document sent (checkpoint.ts), or null when there is nothing yet. */
  checkpoint: z.string().nullable(),
});
export type PullAnswer = z.infer<typeof pullAnswerSchema>;

const docState = z.record(z.string(), z.unknown());

export const pushRowSchema = z.object({
  /** The master state the client last saw; absent or null for a new document. */
  assumedMasterState: docState.nullish(),
  newDocumentState: docState,
});
export type PushRow = z.infer<typeof pushRowSchema>;

export const pushBodySchema = z.array(pushRowSchema).max(MAX_PUSH_ROWS, `push at most ${MAX_PUSH_ROWS} rows per request`);

export const refusalSchema = z.object({
  /** Position of the row in the pushed batch. */
  index: z.number().int().min(0),
  id: z.string().nullable(),
  reason: z.enum(['invalid', 'id-taken']),
  detail: z.string(),
  errors: z.array(fieldErrorSchema).optional(),
});
export type Refusal = z.infer<typeof refusalSchema>;

export const pushAnswerSchema = z.object({
  /** RxDB's conflicts: the current master state of each row whose assumedMasterState was stale. */
  conflicts: z.array(wireDocSchema),
  /** Rows not written; the rest of the batch is unaffected. */
  refused: z.array(refusalSchema),
  /** Number of rows whose new state was written. */
  written: z.number().int().min(0),
});
export type PushAnswer = z.infer<typeof pushAnswerSchema>;

/** The event stream's `changed` event data: which collections to pull. */
export const changedHintSchema = z.object({ collections: z.array(z.string()) });
