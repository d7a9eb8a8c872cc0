import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets at rest (members' X tokens). The ciphertext is bound to a context string
 * (the member's Discord id) as additional authenticated data, so a blob copied to another member's
 * key fails to decrypt.
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(key: string | Buffer) {
    this.key = typeof key === 'string' ? parseKey(key) : key;
    if (this.key.length !== 32) throw new RangeError('Token encryption key must be 32 bytes');
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(blob: string, context: string): string {
    if (!blob.startsWith('v1:')) throw new Error('Unknown token ciphertext format');
    const raw = Buffer.from(blob.slice(3), 'base64');
    // iv (12) + full 16-byte tag; a shorter tag would otherwise be accepted (GCM allows 4-16 bytes).
    if (raw.length < 12 + TAG_BYTES) throw new Error('Token ciphertext is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 12 + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(12 + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

export function parseKey(key: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(key)) return Buffer.from(key, 'hex');
  const b = Buffer.from(key, 'base64');
  if (b.length === 32) return b;
  throw new RangeError('Token encryption key must be 32 bytes as 64 hex chars or base64');
}

/** A fixed, public key for sandbox mode only (no real tokens exist there). */
export const SANDBOX_ENCRYPTION_KEY = createHash('sha256').update('engagement-tracker sandbox key').digest('hex');
