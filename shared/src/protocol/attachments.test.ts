import { describe, expect, it } from 'vitest';
import { attachmentSchema } from '../schema/collections.ts';
import { ACCEPTED_ATTACHMENT_TEXT, checkAttachment, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_TEXT, sniffAttachmentType } from './attachments.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

const JPEG = bytes([0xff, 0xd8, 0xff, 0xdb], 'till receipt');
const PNG = bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], 'IHDR');
const WEBP = bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8L');
const PDF = bytes('%PDF-2.0\n%receipt');

/** `size` bytes that start with `head` (zeros after it). */
function ofSize(head: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(head.subarray(0, size));
  return out;
}

describe('attachment type sniffing', () => {
  it.each([
    ['image/jpeg', JPEG],
    ['image/png', PNG],
    ['image/webp', WEBP],
    ['application/pdf', PDF],
  ] as const)('recognises %s by its first bytes', (type, file) => {
    expect(sniffAttachmentType(file)).toBe(type);
    expect(checkAttachment(file)).toEqual({ ok: true, type });
  });

  it('refuses a text file renamed to .pdf or .png: only the bytes count, and they are none of the types', () => {
    const renamed = bytes('Dear customer, your receipt is attached.');
    expect(sniffAttachmentType(renamed)).toBeNull();
    expect(checkAttachment(renamed)).toEqual({ ok: false, reason: 'unsupported-type' });
  });

  it('types a PNG renamed to receipt.pdf as the PNG it is', () => {
    expect(sniffAttachmentType(PNG)).toBe('image/png');
  });

  it('refuses look-alikes: a GIF, a RIFF that is not WebP, a signature not at the start, a cut-off signature', () => {
    expect(sniffAttachmentType(bytes('GIF89a', [1, 0, 1, 0]))).toBeNull();
    expect(sniffAttachmentType(bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt '))).toBeNull();
    expect(sniffAttachmentType(bytes('<html>%PDF-1.7'))).toBeNull();
    expect(sniffAttachmentType(bytes([0xff, 0xd8]))).toBeNull();
    expect(sniffAttachmentType(bytes('RIFF', [0, 0, 0, 0], 'WEB'))).toBeNull();
    expect(sniffAttachmentType(new Uint8Array())).toBeNull();
  });
});

describe('attachment size limit', () => {
  it('accepts a file of exactly the limit and refuses one byte more', () => {
    expect(checkAttachment(ofSize(PDF, MAX_ATTACHMENT_BYTES))).toEqual({ ok: true, type: 'application/pdf' });
    expect(checkAttachment(ofSize(PDF, MAX_ATTACHMENT_BYTES + 1))).toEqual({ ok: false, reason: 'too-large' });
  });

  it('refuses an empty file', () => {
    expect(checkAttachment(new Uint8Array())).toEqual({ ok: false, reason: 'empty' });
  });

  it('is the limit of the document schema too, and reads as 10 MB', () => {
    const doc = {
      id: '0196a1b2-0000-7000-8000-000000000001', hlc: '0001764057600000-0000-0123456789abcdef',
      transactionId: '0196a1b2-0000-7000-8000-000000000002', fileName: 'a.pdf', mimeType: 'application/pdf',
      sha256: 'a'.repeat(64), uploadedAt: null,
    };
    expect(attachmentSchema.safeParse({ ...doc, size: MAX_ATTACHMENT_BYTES }).error?.issues.filter((i) => i.path[0] === 'size') ?? []).toEqual([]);
    expect(attachmentSchema.safeParse({ ...doc, size: MAX_ATTACHMENT_BYTES + 1 }).error?.issues.some((i) => i.path[0] === 'size')).toBe(true);
    expect(MAX_ATTACHMENT_TEXT).toBe('10 MB');
    expect(ACCEPTED_ATTACHMENT_TEXT).toBe('JPEG, PNG, WebP or PDF');
  });
});
