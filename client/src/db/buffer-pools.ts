/**
 * Reused buffers of the encrypted storage's hot path (envelope-codec.ts), so sealing or opening 100k
 * documents allocates almost nothing per document. They are safe to reuse because WebCrypto copies its
 * inputs when encrypt/decrypt is called, and each output is consumed (base64-encoded, parsed) in the same
 * synchronous step that fills it: a view handed out is only valid until the next call on the same pool.
 */

/** Bytes of an AES-GCM initialisation vector. */
export const IV_BYTES = 12;

/** 65 532 bytes: the largest multiple of 12 that getRandomValues accepts in one call (~5k IVs). */
const IV_REFILL = IV_BYTES * 5461;

/** Draws IVs from a buffer refilled in one getRandomValues call per ~5k documents. */
export class IvPool {
  #buffer = new Uint8Array(0);
  #offset = 0;
  constructor(private readonly crypto: Crypto) {}

  next(): Uint8Array<ArrayBuffer> {
    if (this.#offset + IV_BYTES > this.#buffer.length) {
      this.#buffer = this.crypto.getRandomValues(new Uint8Array(IV_REFILL));
      this.#offset = 0;
    }
    // A view, not a copy: bytes are never handed out twice, and a refill swaps in a new buffer.
    const iv = this.#buffer.subarray(this.#offset, this.#offset + IV_BYTES);
    this.#offset += IV_BYTES;
    return iv;
  }
}

/** A byte buffer that is replaced by a bigger one when a caller needs more than it holds. */
export class GrowableBuffer {
  #bytes: Uint8Array<ArrayBuffer>;
  constructor(initialBytes = 16 * 1024) {
    this.#bytes = new Uint8Array(initialBytes);
  }

  /** The buffer, at least `length` bytes long; valid until the next call. */
  atLeast(length: number): Uint8Array<ArrayBuffer> {
    if (length > this.#bytes.length) this.#bytes = new Uint8Array(length);
    return this.#bytes;
  }
}

const encoder = new TextEncoder();

/** UTF-8 encoding into one reused buffer. */
export class Utf8Scratch {
  readonly #buffer: GrowableBuffer;
  constructor(initialBytes = 16 * 1024) {
    this.#buffer = new GrowableBuffer(initialBytes);
  }

  encode(text: string): Uint8Array<ArrayBuffer> {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const bytes = this.#buffer.atLeast(text.length * 3);
    return bytes.subarray(0, encoder.encodeInto(text, bytes).written);
  }
}

/**
 * `prefix + suffix` in UTF-8, the prefix encoded once into a reused buffer; a suffix that does not fit
 * the buffer's rest is encoded into a fresh array instead.
 */
export class PrefixedUtf8 {
  readonly #prefix: string;
  readonly #scratch: Uint8Array<ArrayBuffer>;
  readonly #head: number;
  readonly #tail: Uint8Array<ArrayBuffer>;

  constructor(prefix: string, capacity = 1024) {
    this.#prefix = prefix;
    this.#scratch = new Uint8Array(capacity);
    this.#head = encoder.encodeInto(prefix, this.#scratch).written;
    this.#tail = this.#scratch.subarray(this.#head);
  }

  encode(suffix: string): Uint8Array<ArrayBuffer> {
    const { read, written } = encoder.encodeInto(suffix, this.#tail);
    return read === suffix.length ? this.#scratch.subarray(0, this.#head + written) : encoder.encode(this.#prefix + suffix);
  }
}
