import { ACCEPTED_ATTACHMENT_TEXT, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_TEXT, sniffAttachmentType } from '@mymidas/shared/protocol';
import express, { Router, type RequestHandler } from 'express';
import { currentUser, requireUser } from '../auth/require-user.ts';
import { AppError } from '../http/errors.ts';
import { clientIp } from '../limits/rate-limit.ts';
import type { Services } from '../services.ts';
import { AttachmentStore } from './store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const tooLarge = (): AppError =>
  new AppError(413, 'attachment-too-large', 'The attachment is too large', `An attachment may be at most ${MAX_ATTACHMENT_TEXT}.`, { maxBytes: MAX_ATTACHMENT_BYTES });

/** Reads the raw body (any declared type: only the bytes decide), turning the size error into a clear 413. */
function rawBody(): RequestHandler {
  const parse = express.raw({ type: () => true, limit: MAX_ATTACHMENT_BYTES });
  return (req, res, next) => {
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_ATTACHMENT_BYTES) return next(tooLarge());
    parse(req, res, (err?: unknown) => {
      if (err && (err as { type?: string }).type === 'entity.too.large') return next(tooLarge());
      next(err);
    });
  };
}

function idParam(raw: unknown): string {
  const id = String(raw);
  if (!UUID.test(id)) throw AppError.badRequest('The attachment id must be a lowercase UUID.');
  return id;
}

/** POST/GET /attachments/:id — bytes outside the document stream, sealed at rest (docs/sync-protocol.md). */
export function attachmentRoutes(services: Services): Router {
  const router = Router();
  const store = new AttachmentStore({ db: services.db, cipher: services.cipher, quotaBytes: services.config.attachmentQuotaBytes });
  const auth = requireUser({ keys: services.keys, db: services.db });

  router.post('/attachments/:id', auth, rawBody(), async (req, res) => {
    const id = idParam(req.params.id);
    const { userId } = currentUser(res);
    const bytes = Buffer.isBuffer(req.body) ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength) : new Uint8Array();
    if (bytes.length === 0) throw AppError.badRequest('Send the file bytes as the request body.');
    const type = sniffAttachmentType(bytes);
    if (!type) {
      throw new AppError(415, 'unsupported-attachment-type', 'This file type is not accepted', `Attachments must be ${ACCEPTED_ATTACHMENT_TEXT} files; the content of this file is none of them.`, { accepted: ATTACHMENT_TYPES });
    }
    const outcome = await store.put(userId, id, type, bytes, { ip: clientIp(req), userAgent: req.get('user-agent') ?? '' });
    if (typeof outcome === 'object') {
      throw new AppError(413, 'attachment-quota-exceeded', 'Attachment storage is full', `Your attachments may take at most ${outcome.quotaBytes} bytes on this server; ${outcome.usedBytes} are used, and this file needs ${bytes.length}. Delete attachments you no longer need, or ask the server's operator to raise ATTACHMENT_QUOTA_BYTES.`, { quotaBytes: outcome.quotaBytes, usedBytes: outcome.usedBytes });
    }
    if (outcome === 'taken') throw AppError.conflict('This attachment id is already used, with different content. Attachments cannot be replaced; upload under a new id.', 'attachment-exists');
    res.status(outcome === 'created' ? 201 : 200).json({ id, mimeType: type, size: bytes.length });
  });

  router.get('/attachments/:id', auth, async (req, res) => {
    const id = idParam(req.params.id);
    const { userId } = currentUser(res);
    const found = await store.get(userId, id);
    if (!found) throw AppError.notFound('No attachment with this id.');
    res.setHeader('Content-Type', found.mimeType);
    res.setHeader('Content-Length', String(found.bytes.length));
    res.setHeader('Content-Disposition', 'attachment');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(Buffer.from(found.bytes.buffer, found.bytes.byteOffset, found.bytes.byteLength));
  });

  return router;
}
