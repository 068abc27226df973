/**
 * Typed failures of the device replica. Callers branch on `code` (or `instanceof`), never on the
 * message text, and none of them carries key material or plaintext.
 */
export type ReplicaErrorCode =
  | 'WRONG_PASSWORD'
  | 'INVALID_PASSWORD'
  | 'KEY_RECORD_INVALID'
  | 'REPLICA_LOCKED'
  | 'DECRYPTION_FAILED'
  | 'ENCRYPTED_FIELD_QUERY'
  | 'ENCRYPTION_SETUP'
  | 'ERASE_FAILED';

export class ReplicaError extends Error {
  readonly code: ReplicaErrorCode;

  constructor(code: ReplicaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplicaError';
    this.code = code;
  }
}

/** The password does not unwrap this device's data key. Nothing was changed. */
export class WrongPasswordError extends ReplicaError {
  constructor() {
    super('WRONG_PASSWORD', 'The password does not unlock the data on this device.');
    this.name = 'WrongPasswordError';
  }
}

/** The stored wrapped-key record is missing fields or holds values out of range. */
export class KeyRecordError extends ReplicaError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('KEY_RECORD_INVALID', `The stored device key record is unusable: ${detail}`, options);
    this.name = 'KeyRecordError';
  }
}

/** A read or write reached the encrypted storage while no data key is loaded. */
export class ReplicaLockedError extends ReplicaError {
  constructor() {
    super('REPLICA_LOCKED', 'The replica is locked: unlock it with the password first.');
    this.name = 'ReplicaLockedError';
  }
}

/** A stored envelope failed authentication (wrong key, tampered bytes, or moved to another document). */
export class DecryptionError extends ReplicaError {
  constructor(collection: string, documentId: string, options?: { cause?: unknown }) {
    super('DECRYPTION_FAILED', `Encrypted fields of ${collection}/${documentId} failed authentication.`, options);
    this.name = 'DecryptionError';
  }
}

/** Encrypted fields hold ciphertext in storage, so a selector or sort on them would silently match nothing. */
export class EncryptedFieldQueryError extends ReplicaError {
  constructor(collection: string, field: string) {
    super('ENCRYPTED_FIELD_QUERY', `${collection}: "${field}" is encrypted and cannot be queried, sorted or indexed.`);
    this.name = 'EncryptedFieldQueryError';
  }
}

/** The storage stack is assembled in a way that would store plaintext (e.g. key compression above encryption). */
export class EncryptionSetupError extends ReplicaError {
  constructor(message: string) {
    super('ENCRYPTION_SETUP', message);
    this.name = 'EncryptionSetupError';
  }
}
