import { ACCEPTED_ATTACHMENT_TEXT, checkAttachment, MAX_ATTACHMENT_TEXT, type AttachmentType } from '@mymidas/shared/protocol';

/**
 * A file picked or photographed for a transaction, checked on the device with the same rules as the
 * server (`@mymidas/shared/protocol`, docs/sync-protocol.md "Attachments"), so a file the server would
 * refuse is refused before it is queued.
 */

export type { AttachmentType };

export class AttachmentFileError extends Error {
  override name = 'AttachmentFileError';
}

/** Refuses empty, oversized and unsupported files with a sentence for the user. */
export function checkAttachmentBytes(bytes: Uint8Array, fileName: string): AttachmentType {
  const check = checkAttachment(bytes);
  if (check.ok) return check.type;
  switch (check.reason) {
    case 'empty':
      throw new AttachmentFileError(`"${fileName}" is empty.`);
    case 'too-large':
      throw new AttachmentFileError(`"${fileName}" is ${formatBytes(bytes.length)}; an attachment may be at most ${MAX_ATTACHMENT_TEXT}.`);
    case 'unsupported-type':
      throw new AttachmentFileError(`"${fileName}" is not a ${ACCEPTED_ATTACHMENT_TEXT} file.`);
  }
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
