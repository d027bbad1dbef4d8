import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CallbackError } from './errors.ts';

/**
 * The platforms' message security, on node:crypto.
 *
 * Signatures: sha1 over the sorted, concatenated parts — `signature(token, timestamp, nonce)` for
 * the Official Account's plain `signature`, `signature(token, timestamp, nonce, encrypt)` for
 * `msg_signature` (both platforms).
 *
 * Messages ("safe mode"): AES-256-CBC, key = base64(EncodingAESKey + '='), IV = key[0..16],
 * plaintext = random(16) + length(4, big-endian) + message + receiver id (app id / corp id),
 * PKCS#7-padded to 32-byte blocks, base64 on the wire.
 *
 * ```ts
 * const cipher = new MessageCipher(encodingAesKey, appId);
 * const encrypted = cipher.encrypt('<xml>…</xml>');
 * cipher.open(encrypted); // '<xml>…</xml>', or throws CallbackError when addressed to another id
 * ```
 */

const BLOCK = 32;

export function signature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Constant-time comparison of a computed signature with the one received. */
export function signatureMatches(expected: string, received: string | undefined): boolean {
  return received !== undefined && safeEqual(expected, received.toLowerCase());
}

/** Constant-time string equality (the length is not secret). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether an EncodingAESKey has the platform's shape: 43 base64 characters. */
export function isEncodingAesKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{43}$/.test(key);
}

export class MessageCipher {
  readonly receiveId: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;

  constructor(encodingAesKey: string, receiveId: string) {
    const key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (!isEncodingAesKey(encodingAesKey) || key.length !== 32) {
      throw new RangeError('EncodingAESKey must be 43 base64 characters (32 bytes)');
    }
    this.#key = key;
    this.#iv = key.subarray(0, 16);
    this.receiveId = receiveId;
  }

  /** Encrypts a message addressed from `receiveId`; base64. */
  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const plain = pad(Buffer.concat([random, length, body, Buffer.from(this.receiveId, 'utf8')]));
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }

  /** Decrypts without checking the receiver id; throws `CallbackError('bad-ciphertext')` on any malformation. */
  decrypt(encrypted: string): { message: string; receiveId: string } {
    const data = /^[A-Za-z0-9+/]+={0,2}$/.test(encrypted) ? Buffer.from(encrypted, 'base64') : Buffer.alloc(0);
    if (data.length === 0 || data.length % 16 !== 0) throw bad('ciphertext is not whole AES blocks');
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch (cause) {
      throw bad('AES decryption failed', cause);
    }
    const padding = plain[plain.length - 1] ?? 0;
    if (padding < 1 || padding > BLOCK || padding > plain.length) throw bad('bad PKCS#7 padding');
    for (let i = plain.length - padding; i < plain.length; i++) {
      if (plain[i] !== padding) throw bad('bad PKCS#7 padding');
    }
    const content = plain.subarray(16, plain.length - padding);
    if (content.length < 4) throw bad('plaintext too short');
    const length = content.readUInt32BE(0);
    if (length > content.length - 4) throw bad('message length out of range');
    return {
      message: content.subarray(4, 4 + length).toString('utf8'),
      receiveId: content.subarray(4 + length).toString('utf8'),
    };
  }

  /** Decrypts and checks that the message is addressed to the configured app id / corp id. */
  open(encrypted: string): string {
    const { message, receiveId } = this.decrypt(encrypted);
    if (!safeEqual(this.receiveId, receiveId)) {
      throw new CallbackError('wrong-receiver', 'decrypted receiver id differs from the configured one');
    }
    return message;
  }
}

function pad(data: Buffer): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function bad(message: string, cause?: unknown): CallbackError {
  return new CallbackError('bad-ciphertext', message, cause === undefined ? undefined : { cause });
}
