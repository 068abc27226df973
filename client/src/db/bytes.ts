/**
 * Byte helpers for envelopes and key records. Uses the engine's native base64 (Uint8Array.toBase64 /
 * fromBase64, Chromium 140+) when present and a chunked btoa/atob fallback otherwise.
 */
interface NativeBase64Array {
  toBase64(): string;
}
interface NativeBase64Ctor {
  fromBase64(text: string): Uint8Array;
}

const nativeFrom = (Uint8Array as unknown as Partial<NativeBase64Ctor>).fromBase64;
const hasNativeTo = typeof (Uint8Array.prototype as unknown as Partial<NativeBase64Array>).toBase64 === 'function';

export function toBase64(bytes: Uint8Array): string {
  if (hasNativeTo) return (bytes as unknown as NativeBase64Array).toBase64();
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Decodes standard base64; throws a plain Error on malformed input (callers wrap it in a typed error). */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  if (nativeFrom) return nativeFrom(text) as Uint8Array<ArrayBuffer>;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function randomBytes(length: number, crypto: Crypto = globalThis.crypto): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

interface NativeSetFromBase64 {
  setFromBase64(text: string): { read: number; written: number };
}
const hasNativeSetFrom = typeof (Uint8Array.prototype as unknown as Partial<NativeSetFromBase64>).setFromBase64 === 'function';

/**
 * Decodes base64 into `scratch` (growing it when too small) and returns a view of the bytes; without
 * native support it returns a fresh array. The view is only valid until the scratch is used again.
 */
export function fromBase64Scratch(text: string, scratch: { buffer: Uint8Array<ArrayBuffer> }): Uint8Array<ArrayBuffer> {
  if (!hasNativeSetFrom) return fromBase64(text);
  const needed = Math.ceil((text.length * 3) / 4);
  if (scratch.buffer.length < needed) scratch.buffer = new Uint8Array(needed);
  const { written } = (scratch.buffer as unknown as NativeSetFromBase64).setFromBase64(text);
  return scratch.buffer.subarray(0, written);
}
