/**
 * Field-level three-way merge of one replicated document (docs/sync-protocol.md, "Conflicts").
 * base = the master state the editing side started from (RxDB's assumedMasterState), ours and
 * theirs = the two edited versions. Pure: plain data in, plain data out.
 */
import { compareStamps } from './hlc.ts';

export * from './hlc.ts';

export type SyncDoc = Record<string, unknown> & { id: string; hlc: string };

export interface ConflictRecord {
  collection: string;
  docId: string;
  field: string;
  /** The value that was not kept (undefined: the field was absent on the losing side). */
  lostValue: unknown;
  lostHlc: string;
  keptHlc: string;
}

export interface MergeInput<D extends SyncDoc> {
  collection: string;
  base: D | null | undefined;
  ours: D;
  theirs: D;
}

export interface MergeResult<D extends SyncDoc> {
  doc: D;
  conflicts: ConflictRecord[];
}

/**
 * Fields that are sets of records rather than single values: changed on both sides, they merge as the union of
 * both lists (records with one key once: the one with the smaller canonical form, so the earlier `at` of two
 * alerts), in key order, with no conflict — each side only ever adds to them. `max` bounds the union like the
 * schema does (the oldest keys go first). Budgets' raised alerts (issue 20): two devices that each recorded an
 * alert offline keep both, and neither device raises either again.
 */
const SET_FIELDS: Readonly<Record<string, Readonly<Record<string, { readonly key: (item: unknown) => string; readonly max: number }>>>> = {
  budgets: {
    alerts: {
      key: (item) => {
        const r = (item ?? {}) as { period?: unknown; kind?: unknown };
        return `${String(r.period)}|${String(r.kind)}`;
      },
      max: 200,
    },
  },
};

function unionOf(spec: { readonly key: (item: unknown) => string; readonly max: number }, a: unknown, b: unknown): unknown[] | null {
  if (!Array.isArray(a) || !Array.isArray(b)) return null;
  const byKey = new Map<string, unknown>();
  for (const item of [...a, ...b]) {
    const k = spec.key(item);
    const seen = byKey.get(k);
    if (seen === undefined || canonicalJson(item) < canonicalJson(seen)) byKey.set(k, item);
  }
  const keys = [...byKey.keys()].sort();
  return keys.slice(Math.max(0, keys.length - spec.max)).map((k) => byKey.get(k));
}

/** Fields that describe the edit itself rather than the data; never merged field by field. */
const STAMP_FIELDS = new Set(['id', 'hlc']);
/** RxDB bookkeeping that must not take part in the comparison. */
export const META_FIELDS: ReadonlySet<string> = new Set(['_meta', '_rev', '_attachments']);

/** Structural equality for JSON values, insensitive to object key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** A key-order-independent text form, used only to break exact-stamp ties deterministically. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return '';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The document without RxDB bookkeeping fields. */
export function stripMeta<D extends Record<string, unknown>>(doc: D): D {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!META_FIELDS.has(k)) out[k] = v;
  return out as D;
}

/**
 * Merges two edits of the same document.
 * - a field changed on one side only is taken from that side;
 * - a field changed on both sides to the same value is that value;
 * - a field changed on both sides to different values keeps the side with the later HLC stamp and
 *   returns the other value as a ConflictRecord (equal stamps: the value with the greater canonical
 *   JSON wins, so the result does not depend on argument order);
 * - a set field (SET_FIELDS, e.g. budgets' alerts) changed on both sides is the union of both;
 * - `_deleted` is a field like any other.
 * The merged document carries the later of the two stamps; the caller ticks its own clock before
 * writing the merge as a new edit.
 */
export function mergeDocs<D extends SyncDoc>(input: MergeInput<D>): MergeResult<D> {
  const { collection, ours, theirs } = input;
  const base = input.base ? stripMeta(input.base) : undefined;
  const a = stripMeta(ours);
  const b = stripMeta(theirs);
  if (a.id !== b.id || (base && base.id !== a.id)) throw new Error(`cannot merge different documents: ${a.id} / ${b.id}`);
  const order = compareStamps(a.hlc, b.hlc);
  const keptStamp = order >= 0 ? a.hlc : b.hlc;
  const out: Record<string, unknown> = { id: a.id, hlc: keptStamp };
  const conflicts: ConflictRecord[] = [];
  const fields = new Set([...Object.keys(a), ...Object.keys(b), ...(base ? Object.keys(base) : [])]);
  for (const field of [...fields].sort()) {
    if (STAMP_FIELDS.has(field)) continue;
    const bv = base?.[field];
    const av = a[field];
    const tv = b[field];
    const aChanged = !base || !jsonEqual(bv, av);
    const tChanged = !base || !jsonEqual(bv, tv);
    let value: unknown;
    if (!aChanged && !tChanged) value = bv;
    else if (aChanged && !tChanged) value = av;
    else if (!aChanged && tChanged) value = tv;
    else if (jsonEqual(av, tv)) value = av;
    else if (SET_FIELDS[collection]?.[field] && (value = unionOf(SET_FIELDS[collection][field], av, tv)) !== null) {
      // Both sides added to a set: the union, no conflict.
    } else {
      const aWins = order > 0 || (order === 0 && canonicalJson(av) > canonicalJson(tv));
      value = aWins ? av : tv;
      conflicts.push({
        collection,
        docId: a.id,
        field,
        lostValue: aWins ? tv : av,
        lostHlc: aWins ? b.hlc : a.hlc,
        keptHlc: aWins ? a.hlc : b.hlc,
      });
    }
    if (value !== undefined) out[field] = value;
  }
  return { doc: out as D, conflicts };
}
