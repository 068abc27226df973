import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Server-side field encryption: AES-256-GCM, one envelope per PII field value.
 *
 *   byte 0       envelope version (1)
 *   bytes 1-4    key id (first 4 bytes of SHA-256 over the key), so rotation knows which key sealed it
 *   bytes 5-16   12-byte random IV
 *   bytes 17-    ciphertext ‖ 16-byte GCM tag
 *
 * The associated data binds a value to its place: `table/rowId/field`. A ciphertext copied to another
 * row or field, or with any bit flipped, fails authentication.
 */
export const ENVELOPE_VERSION = 1;
const HEADER = 1 + 4 + 12;
const TAG = 16;

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

export interface FieldKey {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly secret: Buffer;
}

/** Accepts a 32-byte key as 64 hex characters or base64 (what gen-secrets writes). */
export function parseKey(text: string): FieldKey {
  const t = text.trim();
  let secret: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(t)) secret = Buffer.from(t, 'hex');
  else secret = Buffer.from(t, 'base64');
  if (secret.length !== 32) throw new RangeError('an encryption key must be 32 bytes (64 hex characters or base64)');
  const id = createHash('sha256').update('mymidas-field-key').update(secret).digest().subarray(0, 4);
  return { id: new Uint8Array(id), idHex: Buffer.from(id).toString('hex'), secret };
}

/** Where a sealed value lives, for error messages (made only when one is thrown). */
function placeOf(table: string, rowId: string, field: string): string {
  return `${table}.${field} of row ${rowId}`;
}

export function location(table: string, rowId: string, field: string): Buffer {
  return Buffer.from(`${table}/${rowId}/${field}`, 'utf8');
}

/**
 * Random 96-bit IVs, cut from a pool filled 1,024 at a time: each `randomBytes` call costs about 12 µs
 * whatever its size, which sealing three fields of 100,000 documents felt. Every IV is still fresh random
 * bytes used once (the pool is replaced, never reread), so the collision bound of random GCM IVs is unchanged.
 */
const IV_BYTES = 12;
const IV_POOL_BYTES = IV_BYTES * 1024;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

export function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export class FieldCipher {
  private readonly byId = new Map<string, FieldKey>();

  /** `current` seals new values; `previous` keys are still accepted for reading (during rotation). */
  constructor(readonly current: FieldKey, previous: readonly FieldKey[] = []) {
    for (const k of [current, ...previous]) this.byId.set(k.idHex, k);
  }

  encrypt(plaintext: string, table: string, rowId: string, field: string): Uint8Array {
    return this.seal(Buffer.from(plaintext, 'utf8'), table, rowId, field);
  }

  decrypt(envelope: Uint8Array, table: string, rowId: string, field: string): string {
    return this.openToBuffer(envelope, table, rowId, field).toString('utf8');
  }

  seal(plaintext: Uint8Array, table: string, rowId: string, field: string): Uint8Array {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.current.secret, iv);
    cipher.setAAD(location(table, rowId, field));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const out = Buffer.concat([Buffer.from([ENVELOPE_VERSION]), this.current.id, iv, body, cipher.getAuthTag()]);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  open(envelope: Uint8Array, table: string, rowId: string, field: string): Uint8Array {
    // A copy with an ArrayBuffer of its own: the decipher's Buffer may sit in Node's shared pool.
    return new Uint8Array(this.openToBuffer(envelope, table, rowId, field));
  }

  /** `open`, answering the Buffer the decipher made (no copy: a pull opens every sealed field it sends). */
  private openToBuffer(envelope: Uint8Array, table: string, rowId: string, field: string): Buffer {
    if (envelope.length < HEADER + TAG) throw new DecryptionError(`${placeOf(table, rowId, field)}: envelope too short`);
    if (envelope[0] !== ENVELOPE_VERSION) throw new DecryptionError(`${placeOf(table, rowId, field)}: unknown envelope version ${envelope[0]}`);
    const key = this.sealedWith(envelope);
    if (!key) throw new DecryptionError(`${placeOf(table, rowId, field)}: sealed with key ${FieldCipher.keyIdOf(envelope)}, which is not configured`);
    const iv = envelope.subarray(5, HEADER);
    const tag = envelope.subarray(envelope.length - TAG);
    const body = envelope.subarray(HEADER, envelope.length - TAG);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.secret, iv);
      decipher.setAAD(location(table, rowId, field));
      decipher.setAuthTag(tag);
      const head = decipher.update(body);
      const tail = decipher.final();
      return tail.length === 0 ? head : Buffer.concat([head, tail]);
    } catch {
      throw new DecryptionError(`${placeOf(table, rowId, field)}: authentication failed (tampered, or moved from another row or field)`);
    }
  }

  /** The key that sealed an envelope, if configured: the current one is recognised without making its id's text. */
  private sealedWith(envelope: Uint8Array): FieldKey | undefined {
    const id = this.current.id;
    if (envelope[1] === id[0] && envelope[2] === id[1] && envelope[3] === id[2] && envelope[4] === id[3]) return this.current;
    return this.byId.get(FieldCipher.keyIdOf(envelope));
  }

  /** The key id an envelope was sealed with. */
  static keyIdOf(envelope: Uint8Array): string {
    return Buffer.from(envelope.subarray(1, 5)).toString('hex');
  }

  isCurrent(envelope: Uint8Array): boolean {
    return FieldCipher.keyIdOf(envelope) === this.current.idHex;
  }
}
