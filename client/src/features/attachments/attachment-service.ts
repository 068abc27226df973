import type { Attachment } from '@mymidas/shared/schema';
import { ApiNetworkError, ApiSignedOutError } from '../../api/errors.ts';
import { createHttpClient, type AccessTokens, type HttpClient } from '../../api/http.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import type { AttachmentCache, CachedFile } from './attachment-cache.ts';
import { AttachmentFileError, checkAttachmentBytes, cleanFileName, sha256Hex } from './attachment-files.ts';
import { newId } from '../../db/ids.ts';
import { stampAfter } from '../../sync/clock.ts';

/**
 * Receipts and documents of a transaction. The metadata document goes into the replicated
 * `attachments` collection at once (so the attachment exists offline and syncs like any edit); the
 * bytes go into the device cache and are uploaded to `POST /api/v1/attachments/:id` when the server
 * can be reached. `uploadedAt` stays null until the server has them: that null is the upload queue,
 * and it is worked through again on every call to `uploadPending` (mount, `online` event, sign-in).
 */

export interface AttachmentDeps extends AccessTokens {
  readonly cache: AttachmentCache;
  readonly fetch?: typeof globalThis.fetch;
  readonly baseUrl?: string;
  readonly now?: () => Date;
}

export type UploadOutcome = 'uploaded' | 'offline' | 'signed-out' | 'no-local-copy' | 'already-uploaded';

export interface NewFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** One HTTP client per deps, so every call made with them shares one token refresh. */
const clients = new WeakMap<AttachmentDeps, HttpClient>();
function httpOf(deps: AttachmentDeps): HttpClient {
  let http = clients.get(deps);
  if (!http) {
    http = createHttpClient({ baseUrl: deps.baseUrl, fetch: deps.fetch, tokens: deps });
    clients.set(deps, http);
  }
  return http;
}

/** Attachments of one transaction, oldest first (ids are UUIDv7, so id order is creation order). */
export async function listAttachments(db: ReplicaDatabase, transactionId: string): Promise<Attachment[]> {
  const docs = await db.attachments.find({ selector: { transactionId } }).exec();
  return docs.map((d) => d.toMutableJSON() as Attachment).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Checks the file, keeps its bytes on the device and saves the metadata document. Does not upload. */
export async function addAttachment(db: ReplicaDatabase, deps: AttachmentDeps, transactionId: string, file: NewFile): Promise<Attachment> {
  const type = checkAttachmentBytes(file.bytes, file.name);
  const tx = await db.transactions.findOne(transactionId).exec();
  if (!tx) throw new AttachmentFileError('Save the transaction before adding receipts to it.');
  const id = newId();
  const doc: Attachment = {
    id,
    hlc: await stampAfter(db),
    transactionId,
    fileName: cleanFileName(file.name, type),
    mimeType: type,
    size: file.bytes.length,
    sha256: await sha256Hex(file.bytes),
    uploadedAt: null,
  };
  await deps.cache.put(id, file.bytes, type);
  try {
    await db.attachments.insert(doc);
  } catch (error) {
    await deps.cache.delete(id);
    throw error;
  }
  return doc;
}

/** Uploads one attachment's bytes if this device holds them and the server can be reached. */
export async function uploadAttachment(db: ReplicaDatabase, deps: AttachmentDeps, id: string): Promise<UploadOutcome> {
  const doc = await db.attachments.findOne(id).exec();
  if (!doc) throw new AttachmentFileError('This attachment no longer exists.');
  if (doc.uploadedAt !== null) return 'already-uploaded';
  if (!deps.getAccessToken() && !deps.refreshAccessToken) return 'signed-out';
  const file = await deps.cache.get(id);
  if (!file) return 'no-local-copy';
  try {
    const response = await httpOf(deps).send(`/attachments/${id}`, { method: 'POST', auth: 'bearer', bytes: { data: file.bytes, type: file.mimeType }, what: 'the upload' });
    await response.body?.cancel().catch(() => undefined);
  } catch (error) {
    if (error instanceof ApiNetworkError) return 'offline';
    if (error instanceof ApiSignedOutError) return 'signed-out';
    throw error;
  }
  const uploadedAt = (deps.now?.() ?? new Date()).toISOString();
  const latest = await db.attachments.findOne(id).exec();
  if (latest && latest.uploadedAt === null) {
    await latest.incrementalPatch({ uploadedAt, hlc: await stampAfter(db, latest.hlc) });
  }
  return 'uploaded';
}

export interface UploadSummary {
  readonly uploaded: number;
  /** Still waiting: offline, signed out, or a server refusal (see errors). */
  readonly waiting: number;
  readonly errors: readonly { readonly id: string; readonly error: unknown }[];
}

/**
 * Works through the upload queue: every attachment (of one transaction, or all) whose bytes this
 * device holds and the server does not have yet. Stops at the first sign of being offline.
 */
export async function uploadPending(db: ReplicaDatabase, deps: AttachmentDeps, transactionId?: string): Promise<UploadSummary> {
  const selector = transactionId ? { transactionId, uploadedAt: null } : { uploadedAt: null };
  const pending = await db.attachments.find({ selector }).exec();
  let uploaded = 0;
  let waiting = 0;
  const errors: { id: string; error: unknown }[] = [];
  for (const [i, doc] of pending.entries()) {
    try {
      const outcome = await uploadAttachment(db, deps, doc.id);
      if (outcome === 'uploaded') uploaded += 1;
      else if (outcome === 'offline' || outcome === 'signed-out') {
        waiting += pending.length - i;
        break;
      } else if (outcome === 'no-local-copy') waiting += 1;
    } catch (error) {
      waiting += 1;
      errors.push({ id: doc.id, error });
    }
  }
  return { uploaded, waiting, errors };
}

/**
 * The bytes for viewing: from the device cache, or downloaded from the server (checked against the
 * size and SHA-256 in the metadata) and cached for offline use.
 */
export async function openAttachment(deps: AttachmentDeps, attachment: Attachment): Promise<CachedFile> {
  const cached = await deps.cache.get(attachment.id);
  if (cached) return cached;
  if (attachment.uploadedAt === null) {
    throw new AttachmentFileError('This file is still on the device that added it and has not been uploaded yet.');
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await httpOf(deps).bytes(`/attachments/${attachment.id}`, { auth: 'bearer', accept: attachment.mimeType, what: 'the download' });
  } catch (error) {
    if (error instanceof ApiSignedOutError) throw new AttachmentFileError('Sign in to download this file; once downloaded it can be viewed offline.', { cause: error });
    throw error;
  }
  if (bytes.length !== attachment.size || (await sha256Hex(bytes)) !== attachment.sha256) {
    throw new AttachmentFileError('The downloaded file does not match the one that was attached (size or checksum differ).');
  }
  await deps.cache.put(attachment.id, bytes, attachment.mimeType);
  return { bytes, mimeType: attachment.mimeType };
}

/**
 * Removes the attachment: the metadata document is deleted (the deletion syncs) and this device's
 * copy is dropped. The server keeps the sealed bytes: the protocol has no delete for them.
 */
export async function removeAttachment(db: ReplicaDatabase, deps: AttachmentDeps, id: string): Promise<void> {
  const doc = await db.attachments.findOne(id).exec();
  if (doc) {
    const patched = await doc.incrementalPatch({ hlc: await stampAfter(db, doc.hlc) });
    await patched.remove();
  }
  await deps.cache.delete(id);
}
