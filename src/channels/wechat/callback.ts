import { randomInt } from 'node:crypto';
import type { Context } from 'hono';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { inboundMessage, type Conversation, type InboundMessage, type Outcome } from './conversation.ts';
import { MessageCipher, signature, signatureMatches } from './crypto.ts';
import { CallbackError, type Platform } from './errors.ts';
import { MAX_SKEW_S } from './replay.ts';
import { buildXml, parseXml, type XmlFields } from './xml.ts';

/**
 * The HTTP side of the two callbacks: URL verification (GET) and messages (POST).
 *
 * Official Account: every request carries `signature` = sha1(sort(token, timestamp, nonce)). GET
 * answers `echostr` as is. POST bodies come in one of three modes, chosen on the platform: plaintext
 * (no EncodingAESKey configured here), compatible (plaintext fields and `Encrypt` side by side) or safe
 * (`Encrypt` only); with an EncodingAESKey configured, only the encrypted part is read, `msg_signature`
 * must match and the reply is encrypted and signed — a plaintext body is refused rather than trusted,
 * since `signature` does not cover the body.
 *
 * WeCom: always encrypted. `msg_signature` = sha1(sort(token, timestamp, nonce, echostr | Encrypt));
 * GET answers the decrypted `echostr`.
 *
 * Both: a timestamp more than 5 minutes from now, a bad signature or a message addressed to another
 * app id / corp id is answered 403 with an empty body; malformed XML or a DOCTYPE / ENTITY declaration
 * in the markup (not in the user's text) 400; more than 64 KB 413. A delivery is remembered for the
 * whole window in which its timestamp is accepted (see replay.ts), so a replay is never answered twice.
 */

export const MAX_BODY_BYTES = 64 * 1024;

export interface CallbackHandlers {
  verify(c: Context): Promise<Response>;
  receive(c: Context): Promise<Response>;
}

interface CallbackOptions {
  token: string;
  conversation: Conversation;
  logger: Logger;
  metrics?: Metrics;
  now: () => number;
}

export function officialAccountCallback(o: CallbackOptions & { cipher?: MessageCipher }): CallbackHandlers {
  const { token, cipher } = o;
  const guard = guarded('wechat', o);
  return {
    verify: guard(async (c) => {
      const { timestamp, nonce } = checked(c, o.now);
      if (!signatureMatches(signature(token, timestamp, nonce), c.req.query('signature'))) throw badSignature();
      return c.text(c.req.query('echostr') ?? '');
    }),
    receive: guard(async (c) => {
      const { timestamp, nonce } = checked(c, o.now);
      if (!signatureMatches(signature(token, timestamp, nonce), c.req.query('signature'))) throw badSignature();
      const outer = parseXml(await readBody(c));
      const encrypted = outer.get('Encrypt');
      let fields: XmlFields = outer;
      if (cipher) {
        if (encrypted === undefined) {
          throw new CallbackError(
            'not-configured',
            'plaintext message while WECHAT_ENCODING_AES_KEY is set: use compatible or safe mode on the platform, or unset the key',
          );
        }
        if (!signatureMatches(signature(token, timestamp, nonce, encrypted), c.req.query('msg_signature'))) throw badSignature();
        fields = parseXml(cipher.open(encrypted));
      } else if (!outer.has('MsgType')) {
        throw new CallbackError('not-configured', 'encrypted message but WECHAT_ENCODING_AES_KEY is not set');
      }
      const message = readMessage(fields);
      const outcome = await o.conversation.handle(message);
      if (outcome.kind === 'ack') return c.text('success');
      const xml = textReply(message, outcome, o.now);
      return xmlResponse(c, cipher ? seal(xml, token, cipher, o.now) : xml);
    }),
  };
}

export function wecomCallback(o: CallbackOptions & { cipher: MessageCipher }): CallbackHandlers {
  const { token, cipher } = o;
  const guard = guarded('wecom', o);
  return {
    verify: guard(async (c) => {
      const { timestamp, nonce } = checked(c, o.now);
      // A base64 echostr whose '+' arrived unescaped reads as a space after URL decoding.
      const echostr = (c.req.query('echostr') ?? '').replaceAll(' ', '+');
      if (!signatureMatches(signature(token, timestamp, nonce, echostr), c.req.query('msg_signature'))) throw badSignature();
      return c.text(cipher.open(echostr));
    }),
    receive: guard(async (c) => {
      const { timestamp, nonce } = checked(c, o.now);
      const encrypted = parseXml(await readBody(c)).get('Encrypt');
      if (encrypted === undefined) throw new CallbackError('bad-xml', 'no Encrypt element');
      if (!signatureMatches(signature(token, timestamp, nonce, encrypted), c.req.query('msg_signature'))) throw badSignature();
      const message = readMessage(parseXml(cipher.open(encrypted)));
      const outcome = await o.conversation.handle(message);
      // WeCom: an empty 200 means "received, no reply"; the answer may follow by API.
      if (outcome.kind === 'ack') return c.text('');
      return xmlResponse(c, seal(textReply(message, outcome, o.now), token, cipher, o.now));
    }),
  };
}

/** Turns CallbackError into its bare status (logged, counted, never explained to the caller). */
function guarded(platform: Platform, o: CallbackOptions) {
  return (handler: (c: Context) => Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      try {
        return await handler(c);
      } catch (err) {
        if (!(err instanceof CallbackError)) throw err;
        o.logger.warn({ channel: platform, reason: err.reason, detail: err.message }, 'callback rejected');
        o.metrics?.errors.inc({ channel: platform, kind: err.reason });
        return c.body(null, err.status);
      }
    };
}

/** The timestamp and nonce of a request whose timestamp is within 5 minutes of now. */
function checked(c: Context, now: () => number): { timestamp: string; nonce: string } {
  const timestamp = c.req.query('timestamp') ?? '';
  const nonce = c.req.query('nonce') ?? '';
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!(Math.abs(now() / 1000 - seconds) <= MAX_SKEW_S)) {
    throw new CallbackError('stale-timestamp', 'timestamp missing or more than 5 minutes from now');
  }
  return { timestamp, nonce };
}

/** The body as UTF-8, at most 64 KB (also enforced by bodyLimit before the handler). */
async function readBody(c: Context): Promise<string> {
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw new CallbackError('too-large', 'body over 64 KB');
  return new TextDecoder('utf-8').decode(bytes);
}

function readMessage(fields: XmlFields): InboundMessage {
  const message = inboundMessage(fields);
  if (!message.from || !message.msgType) throw new CallbackError('bad-xml', 'message without FromUserName or MsgType');
  return message;
}

function textReply(to: InboundMessage, outcome: Extract<Outcome, { kind: 'reply' }>, now: () => number): string {
  return buildXml({
    ToUserName: to.from,
    FromUserName: to.to,
    CreateTime: Math.floor(now() / 1000),
    MsgType: 'text',
    Content: outcome.text,
  });
}

/** The encrypted, signed reply envelope of safe mode and WeCom. */
function seal(xml: string, token: string, cipher: MessageCipher, now: () => number): string {
  const encrypt = cipher.encrypt(xml);
  const timestamp = Math.floor(now() / 1000);
  const nonce = String(randomInt(1_000_000_000, 10_000_000_000));
  return buildXml({
    Encrypt: encrypt,
    MsgSignature: signature(token, String(timestamp), nonce, encrypt),
    TimeStamp: timestamp,
    Nonce: nonce,
  });
}

function xmlResponse(c: Context, xml: string): Response {
  return c.body(xml, 200, { 'content-type': 'application/xml; charset=utf-8' });
}

function badSignature(): CallbackError {
  return new CallbackError('bad-signature', 'signature mismatch');
}
