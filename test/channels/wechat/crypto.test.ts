import { randomBytes } from 'node:crypto';
import { decrypt as wecomDecrypt, encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import WXBizMsgCrypt from 'wechat-crypto';
import { describe, expect, it } from 'vitest';
import { MessageCipher, safeEqual, signature, signatureMatches } from '../../../src/channels/wechat/crypto.ts';
import { CallbackError } from '../../../src/channels/wechat/errors.ts';
import { encodingAesKey } from './helpers.ts';

// Official vectors (PROTOCOLS.md).
const OA = { token: 'AAAAA', timestamp: '1714036504', nonce: '1514711492', signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696' };
const WECOM = {
  token: 'QDG6eK',
  key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  plain: '1616140317555161061',
};

describe('signature', () => {
  it('matches the Official Account vector', () => {
    expect(signature(OA.token, OA.timestamp, OA.nonce)).toBe(OA.signature);
  });

  it('matches the WeCom URL-verification vector and the peer package', () => {
    expect(signature(WECOM.token, WECOM.timestamp, WECOM.nonce, WECOM.echostr)).toBe(WECOM.signature);
    expect(getSignature(WECOM.token, WECOM.timestamp, WECOM.nonce, WECOM.echostr)).toBe(WECOM.signature);
  });

  it('compares in constant time and refuses near misses', () => {
    expect(signatureMatches(OA.signature, OA.signature)).toBe(true);
    expect(signatureMatches(OA.signature, OA.signature.toUpperCase())).toBe(true);
    expect(signatureMatches(OA.signature, `${OA.signature.slice(0, -1)}7`)).toBe(false);
    expect(signatureMatches(OA.signature, OA.signature.slice(0, -1))).toBe(false);
    expect(signatureMatches(OA.signature, '')).toBe(false);
    expect(signatureMatches(OA.signature, undefined)).toBe(false);
    expect(safeEqual('wx5823bf96d3bd56c7', 'WX5823BF96D3BD56C7')).toBe(false);
  });
});

describe('MessageCipher', () => {
  it('decrypts the official WeCom echostr', () => {
    expect(new MessageCipher(WECOM.key, WECOM.corpId).open(WECOM.echostr)).toBe(WECOM.plain);
  });

  it('interoperates with @wecom/crypto both ways', () => {
    const key = encodingAesKey();
    const cipher = new MessageCipher(key, 'ww0123456789abcdef');
    const message = '<xml><Content><![CDATA[今年新增多少托位?🙂]]></Content></xml>';
    expect(cipher.open(wecomEncrypt(key, message, 'ww0123456789abcdef'))).toBe(message);
    expect(wecomDecrypt(key, cipher.encrypt(message))).toMatchObject({ message, id: 'ww0123456789abcdef' });
  });

  it('interoperates with wechat-crypto both ways', () => {
    const key = encodingAesKey();
    const peer = new WXBizMsgCrypt('token', key, 'wx1234567890abcdef');
    const cipher = new MessageCipher(key, 'wx1234567890abcdef');
    for (const message of ['', 'a', 'x'.repeat(11), '市北区'.repeat(300)]) {
      expect(cipher.open(peer.encrypt(message))).toBe(message);
      expect(peer.decrypt(cipher.encrypt(message))).toEqual({ message, id: 'wx1234567890abcdef' });
    }
  });

  it('pads to 32-byte blocks', () => {
    const cipher = new MessageCipher(encodingAesKey(), 'id');
    for (let n = 0; n < 70; n++) {
      const bytes = Buffer.from(cipher.encrypt('x'.repeat(n)), 'base64').length;
      expect(bytes % 32).toBe(0);
      expect(bytes).toBe(Math.ceil((16 + 4 + n + 2 + 1) / 32) * 32);
    }
  });

  it('refuses a message addressed to another id', () => {
    const key = encodingAesKey();
    const encrypted = wecomEncrypt(key, 'hello', 'wwSOMEONEELSE');
    const error = catchError(() => new MessageCipher(key, 'wwMINE').open(encrypted));
    expect(error).toBeInstanceOf(CallbackError);
    expect(error).toMatchObject({ reason: 'wrong-receiver', status: 403 });
  });

  it('refuses malformed ciphertext without throwing anything else', () => {
    const key = encodingAesKey();
    const cipher = new MessageCipher(key, 'id');
    const otherKey = wecomEncrypt(encodingAesKey(), 'hello', 'id');
    for (const bad of ['', 'not base64!', 'AAAA', randomBytes(48).toString('base64'), otherKey, cipher.encrypt('x').slice(0, -8)]) {
      const error = catchError(() => cipher.open(bad));
      expect(error, bad).toBeInstanceOf(CallbackError);
      expect((error as CallbackError).status).toBe(403);
    }
  });

  it('rejects a key that is not 43 base64 characters', () => {
    expect(() => new MessageCipher('short', 'id')).toThrow(RangeError);
    expect(() => new MessageCipher(`${encodingAesKey()}=`, 'id')).toThrow(RangeError);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
