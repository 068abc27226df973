import { fromBase64Scratch, toBase64 } from './bytes.ts';
import { GrowableBuffer, IV_BYTES, IvPool, PrefixedUtf8, Utf8Scratch } from './buffer-pools.ts';
import { DecryptionError, ReplicaLockedError } from './errors.ts';

/**
 * The envelope of one stored document: all its PII fields sealed together with AES-256-GCM, so a write
 * costs one encrypt and a read one decrypt. The additional data is `mymidas/v1/<collection>/<id>`, so an
 * envelope moved to another document (or collection) fails authentication.
 *
 * Layout (base64 in the `sealed` field): version byte 0x01 ‖ 12-byte random IV ‖ AES-GCM ciphertext ‖
 * 16-byte tag; the plaintext is the JSON object of the document's PII fields (undefined ones left out).
 */

/** Field that holds the sealed envelope in storage. */
export const ENVELOPE_FIELD = 'sealed';
export const ENVELOPE_VERSION = 1;
export const TAG_BYTES = 16;
export { IV_BYTES };

export type Doc = Record<string, unknown>;

/** Counts of WebCrypto calls, for tests and benchmarks that check the one-call-per-document promise. */
export interface EncryptionCounters {
  encrypt: number;
  decrypt: number;
}

/** The additional data an envelope of `collection/id` is sealed with. */
export function envelopeAdditionalData(collection: string, id: string): string {
  return `${envelopePrefix(collection)}${id}`;
}

const envelopePrefix = (collection: string) => `mymidas/v1/${collection}/`;

export interface EnvelopeCodecOptions {
  readonly collection: string;
  /** The field holding the document's id (its additional data). */
  readonly primaryPath: string;
  /** Top-level fields sealed in the envelope. */
  readonly encrypted: ReadonlySet<string>;
  /** The data key; throws ReplicaLockedError while the replica is locked. */
  readonly key: () => CryptoKey;
  readonly crypto: Crypto;
  readonly counters?: EncryptionCounters | undefined;
}

export interface EnvelopeCodec {
  /** The document as stored: PII fields replaced by the envelope field. */
  seal(doc: Doc): Promise<Doc>;
  /** The envelope alone (what `seal` puts in the envelope field), for a caller that builds the stored row itself. */
  envelope(doc: Doc): Promise<string>;
  /** The document as written: the envelope opened into its PII fields. DecryptionError when it does not authenticate. */
  unseal(stored: Doc): Promise<Doc>;
  /**
   * A document without its PII fields and without an envelope: what the inner storage gets as a row's
   * `previous` (it only compares `_rev` and reads `_deleted`), so nothing is encrypted for it.
   */
  withoutSecrets(doc: Doc): Doc;
}

/** One codec per collection: it owns that collection's scratch buffers and IV pool. */
export function createEnvelopeCodec(options: EnvelopeCodecOptions): EnvelopeCodec {
  const { collection, primaryPath, encrypted, key, crypto, counters } = options;
  const ivs = new IvPool(crypto);
  const aad = new PrefixedUtf8(envelopePrefix(collection));
  const plain = new Utf8Scratch();
  const envelope = new GrowableBuffer();
  const readScratch = { buffer: new Uint8Array(16 * 1024) };
  const decoder = new TextDecoder();
  const subtle = crypto.subtle;

  async function envelopeOf(doc: Doc): Promise<string> {
    const secret: Doc = {};
    for (const field of encrypted) if (doc[field] !== undefined) secret[field] = doc[field];
    const iv = ivs.next();
    const ciphertext = await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aad.encode(String(doc[primaryPath])) },
      key(),
      plain.encode(JSON.stringify(secret)),
    );
    if (counters) counters.encrypt++;
    const length = 1 + IV_BYTES + ciphertext.byteLength;
    const bytes = envelope.atLeast(length);
    bytes[0] = ENVELOPE_VERSION;
    bytes.set(iv, 1);
    bytes.set(new Uint8Array(ciphertext), 1 + IV_BYTES);
    return toBase64(bytes.subarray(0, length));
  }

  return {
    async seal(doc) {
      const stored: Doc = {};
      for (const field in doc) if (!encrypted.has(field)) stored[field] = doc[field];
      stored[ENVELOPE_FIELD] = await envelopeOf(doc);
      return stored;
    },

    envelope: envelopeOf,

    async unseal(stored) {
      const id = String(stored[primaryPath]);
      const text = stored[ENVELOPE_FIELD];
      let secret: Doc;
      try {
        if (typeof text !== 'string') throw new Error('envelope missing');
        const bytes = fromBase64Scratch(text, readScratch);
        if (bytes[0] !== ENVELOPE_VERSION || bytes.length < 1 + IV_BYTES + TAG_BYTES) throw new Error('envelope malformed');
        const opened = await subtle.decrypt(
          { name: 'AES-GCM', iv: bytes.subarray(1, 1 + IV_BYTES), additionalData: aad.encode(id) },
          key(),
          bytes.subarray(1 + IV_BYTES),
        );
        if (counters) counters.decrypt++;
        secret = JSON.parse(decoder.decode(opened)) as Doc;
      } catch (error) {
        if (error instanceof ReplicaLockedError) throw error;
        throw new DecryptionError(collection, id, { cause: error });
      }
      const doc: Doc = {};
      for (const field in stored) if (field !== ENVELOPE_FIELD) doc[field] = stored[field];
      for (const field of encrypted) if (Object.hasOwn(secret, field)) doc[field] = secret[field];
      return doc;
    },

    withoutSecrets(doc) {
      const stored: Doc = {};
      for (const field in doc) if (!encrypted.has(field)) stored[field] = doc[field];
      return stored;
    },
  };
}
