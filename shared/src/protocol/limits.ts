/**
 * Attachment limits, with no imports of their own: the document schema (`schema/collections.ts`)
 * and the wire contract (`protocol/attachments.ts`) both read them from here, so neither imports
 * the other for them.
 */

/** The largest attachment the server stores and the schema's `size` allows: 10 MiB. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** The file types an attachment may have, decided from its bytes (see `sniffAttachmentType`). */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
