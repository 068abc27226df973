import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, type AttachmentType } from './limits.ts';

/**
 * What an attachment may be (docs/sync-protocol.md, "Attachments"): the size limit, the accepted types
 * and how a type is decided. Only the first bytes decide; a file's name and its declared Content-Type
 * are not trusted. The client checks a file with these before queueing it and the server again
 * before storing it, so both refuse the same files.
 */
export { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, type AttachmentType };

/** The size limit as the user reads it ("10 MB"). */
export const MAX_ATTACHMENT_TEXT = `${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`;

/** The accepted types as the user names them, in ATTACHMENT_TYPES order. */
export const ATTACHMENT_TYPE_NAMES: Readonly<Record<AttachmentType, string>> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'application/pdf': 'PDF',
};

/** "JPEG, PNG, WebP or PDF". */
export const ACCEPTED_ATTACHMENT_TEXT = ((names: readonly string[]) => `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`)(
  ATTACHMENT_TYPES.map((t) => ATTACHMENT_TYPE_NAMES[t]),
);

const ascii = (text: string): readonly number[] => Array.from(text, (c) => c.charCodeAt(0));

/** Each type's signature: bytes at an offset that must all match. */
const SIGNATURES: readonly { readonly type: AttachmentType; readonly parts: readonly { readonly at: number; readonly bytes: readonly number[] }[] }[] = [
  { type: 'image/jpeg', parts: [{ at: 0, bytes: [0xff, 0xd8, 0xff] }] },
  { type: 'image/png', parts: [{ at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }] },
  // RIFF container (size in bytes 4–7) whose form type is WEBP.
  { type: 'image/webp', parts: [{ at: 0, bytes: ascii('RIFF') }, { at: 8, bytes: ascii('WEBP') }] },
  { type: 'application/pdf', parts: [{ at: 0, bytes: ascii('%PDF-') }] },
];

function matchesAt(bytes: Uint8Array, at: number, signature: readonly number[]): boolean {
  return bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
}

/** The attachment type of these bytes from their signature, or null when they are none of the accepted types. */
export function sniffAttachmentType(bytes: Uint8Array): AttachmentType | null {
  for (const { type, parts } of SIGNATURES) {
    if (parts.every((p) => matchesAt(bytes, p.at, p.bytes))) return type;
  }
  return null;
}

export type AttachmentCheck =
  | { readonly ok: true; readonly type: AttachmentType }
  | { readonly ok: false; readonly reason: 'empty' | 'too-large' | 'unsupported-type' };

/** Whether these bytes may be stored as an attachment, and as which type. */
export function checkAttachment(bytes: Uint8Array): AttachmentCheck {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > MAX_ATTACHMENT_BYTES) return { ok: false, reason: 'too-large' };
  const type = sniffAttachmentType(bytes);
  return type ? { ok: true, type } : { ok: false, reason: 'unsupported-type' };
}
