import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';

/**
 * OpenPGP symmetric encryption of a byte stream with a passphrase, in the shape `gpg --decrypt` reads:
 * one password-encrypted session key (iterated-and-salted S2K), AES-256, integrity-protected data (SEIPD v1
 * with MDC; not the RFC 9580 AEAD packets, which gpg 2.2 cannot open). No OpenPGP compression: the
 * content is already gzip. Both directions stream: memory stays flat whatever the size.
 */
const ENCRYPT_CONFIG: openpgp.PartialConfig = {
  preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
  aeadProtect: false,
  s2kType: openpgp.enums.s2k.iterated,
};

export async function encryptStream(plain: Readable, passphrase: string): Promise<Readable> {
  const message = await openpgp.createMessage({ binary: Readable.toWeb(plain) as unknown as NodeReadableStream<Uint8Array> });
  const out = await openpgp.encrypt({ message, passwords: [passphrase], format: 'binary', config: ENCRYPT_CONFIG });
  return Readable.fromWeb(out as unknown as NodeReadableStream<Uint8Array>);
}

/**
 * Decrypts a stream. The plaintext flows before the modification-detection code (MDC) at the end is checked,
 * so memory stays flat (without allowUnauthenticatedStream openpgp holds the whole plaintext until the end);
 * a damaged or truncated message then fails with an error at the end of the stream. A wrong passphrase fails
 * at once. NEVER act on this output before the stream has ended without error: the restore reads a backup
 * through it twice, first to nowhere (authenticating the whole message), and only then — from a private
 * copy of the same bytes — into the database (sql-backup.ts, authenticatedCopy).
 */
export async function decryptStream(cipher: Readable, passphrase: string): Promise<Readable> {
  const message = await openpgp.readMessage({ binaryMessage: Readable.toWeb(cipher) as unknown as NodeReadableStream<Uint8Array> });
  const { data } = await openpgp.decrypt({ message, passwords: [passphrase], format: 'binary', config: { allowUnauthenticatedStream: true } });
  return Readable.fromWeb(data as unknown as NodeReadableStream<Uint8Array>);
}

/** Encrypts a small value (a retired encryption key) to one OpenPGP message, armoured. */
export async function encryptText(text: string, passphrase: string): Promise<string> {
  const message = await openpgp.createMessage({ text });
  return openpgp.encrypt({ message, passwords: [passphrase], format: 'armored', config: ENCRYPT_CONFIG });
}

export async function decryptText(armored: string, passphrase: string): Promise<string> {
  const message = await openpgp.readMessage({ armoredMessage: armored });
  const { data } = await openpgp.decrypt({ message, passwords: [passphrase], format: 'utf8' });
  return data;
}
