import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, FieldCipher, nextIv, parseKey } from './field-cipher.ts';

const key = () => parseKey(randomBytes(32).toString('hex'));

describe('field cipher (AES-256-GCM envelope)', () => {
  it('round-trips a value and never stores the plaintext bytes', () => {
    const c = new FieldCipher(key());
    const env = c.encrypt('Tesco Metro, Camden', 'transactions', 'row-1', 'description');
    expect(Buffer.from(env).includes(Buffer.from('Tesco'))).toBe(false);
    expect(env[0]).toBe(1);
    expect(c.decrypt(env, 'transactions', 'row-1', 'description')).toBe('Tesco Metro, Camden');
  });

  it('uses a fresh IV every time', () => {
    const c = new FieldCipher(key());
    const a = c.encrypt('same', 't', 'r', 'f');
    const b = c.encrypt('same', 't', 'r', 'f');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('never hands out the same IV twice across pool refills, and every sealed value opens', () => {
    const c = new FieldCipher(key());
    const seen = new Set<string>();
    // 3,000 IVs span three refills of the 1,024-IV pool.
    for (let i = 0; i < 3_000; i += 1) {
      const env = c.encrypt(`value ${i}`, 't', `r${i}`, 'f');
      const iv = Buffer.from(env.subarray(5, 17)).toString('hex');
      expect(seen.has(iv)).toBe(false);
      seen.add(iv);
      expect(c.decrypt(env, 't', `r${i}`, 'f')).toBe(`value ${i}`);
    }
    // An IV handed out earlier is not changed by later refills.
    const first = nextIv();
    const copy = Buffer.from(first);
    for (let i = 0; i < 2_100; i += 1) nextIv();
    expect(first.equals(copy)).toBe(true);
  });

  it('refuses a flipped bit anywhere in the envelope, with a clear error', () => {
    const c = new FieldCipher(key());
    const env = c.encrypt('secret notes', 'transactions', 'row-1', 'notes');
    for (let i = 5; i < env.length; i++) {
      const bad = new Uint8Array(env);
      bad[i]! ^= 0x01;
      expect(() => c.decrypt(bad, 'transactions', 'row-1', 'notes')).toThrow(DecryptionError);
    }
    expect(() => c.decrypt(env.subarray(0, 10), 'transactions', 'row-1', 'notes')).toThrow(/too short/);
  });

  it('refuses a ciphertext moved to another row or another field', () => {
    const c = new FieldCipher(key());
    const env = c.encrypt('Barclays', 'accounts', 'row-1', 'institution');
    expect(() => c.decrypt(env, 'accounts', 'row-2', 'institution')).toThrow(/moved from another row or field/);
    expect(() => c.decrypt(env, 'accounts', 'row-1', 'name')).toThrow(DecryptionError);
    expect(() => c.decrypt(env, 'transactions', 'row-1', 'institution')).toThrow(DecryptionError);
  });

  it('names an unknown key id and accepts previous keys during rotation', () => {
    const oldKey = key();
    const newKey = key();
    const env = new FieldCipher(oldKey).encrypt('x', 't', 'r', 'f');
    expect(() => new FieldCipher(newKey).decrypt(env, 't', 'r', 'f')).toThrow(new RegExp(`sealed with key ${oldKey.idHex}`));
    const both = new FieldCipher(newKey, [oldKey]);
    expect(both.decrypt(env, 't', 'r', 'f')).toBe('x');
    expect(both.isCurrent(env)).toBe(false);
    expect(both.isCurrent(both.encrypt('y', 't', 'r', 'f'))).toBe(true);
  });

  it('accepts 32-byte keys only', () => {
    expect(() => parseKey('abcd')).toThrow(/32 bytes/);
    expect(parseKey(randomBytes(32).toString('base64')).secret.length).toBe(32);
  });
});
