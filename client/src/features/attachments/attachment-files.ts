import type { ATTACHMENT_TYPES } from '@mymidas/shared/schema';

export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** The server's limit (sync-server/src/attachments/magic.ts) and the schema's. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  return sig.every((b, i) => bytes[at + i] === b);
}
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/**
 * The file type from its first bytes, exactly as the server decides it (docs/sync-protocol.md,
 * Attachments): the name and the browser's declared type are not trusted, so a file the server
 * would refuse is refused here before it is queued.
 */
export function sniffAttachmentType(bytes: Uint8Array): AttachmentType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  return null;
}

export class AttachmentFileError extends Error {
  override name = 'AttachmentFileError';
}

/** Refuses empty, oversized and unsupported files with a sentence for the user. */
export function checkAttachmentBytes(bytes: Uint8Array, fileName: string): AttachmentType {
  if (bytes.length === 0) throw new AttachmentFileError(`"${fileName}" is empty.`);
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new AttachmentFileError(`"${fileName}" is ${formatBytes(bytes.length)}; an attachment may be at most 10 MB.`);
  }
  const type = sniffAttachmentType(bytes);
  if (!type) throw new AttachmentFileError(`"${fileName}" is not a JPEG, PNG, WebP or PDF file.`);
  return type;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A file name the schema accepts (at most 255 characters, no path), keeping the extension. */
export function cleanFileName(name: string, type: AttachmentType): string {
  const base = name.split(/[\\/]/).pop()?.trim() ?? '';
  const fallback = `receipt.${type === 'application/pdf' ? 'pdf' : type.split('/')[1]}`;
  const chosen = base === '' ? fallback : base;
  if (chosen.length <= 255) return chosen;
  const dot = chosen.lastIndexOf('.');
  const ext = dot > 0 && chosen.length - dot <= 10 ? chosen.slice(dot) : '';
  return chosen.slice(0, 255 - ext.length) + ext;
}
