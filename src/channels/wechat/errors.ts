import { WorkplanError } from '../../errors.ts';

/** Which side of the channel: the WeChat Official Account (公众号) or a WeCom self-built app (企业微信自建应用). */
export type Platform = 'wechat' | 'wecom';

/**
 * A callback that cannot be trusted or read: bad signature, stale timestamp, undecryptable or
 * misaddressed ciphertext, malformed XML. `reason` is for logs only; the HTTP answer carries no details.
 */
export class CallbackError extends WorkplanError {
  readonly reason: CallbackRejection;
  readonly status: 400 | 403 | 413;
  constructor(reason: CallbackRejection, message: string, options?: ErrorOptions) {
    super('E_WECHAT_CALLBACK', message, options);
    this.reason = reason;
    this.status = STATUS[reason];
  }
}

export type CallbackRejection =
  | 'bad-signature'
  | 'stale-timestamp'
  | 'wrong-receiver'
  | 'bad-ciphertext'
  | 'bad-xml'
  | 'doctype'
  | 'too-large'
  | 'not-configured';

const STATUS: Record<CallbackRejection, 400 | 403 | 413> = {
  'bad-signature': 403,
  'stale-timestamp': 403,
  'wrong-receiver': 403,
  'bad-ciphertext': 403,
  'bad-xml': 400,
  doctype: 400,
  'too-large': 413,
  'not-configured': 400,
};

/**
 * The platform's HTTP API answered with an error (`errcode` ≠ 0) or not at all (`errcode` undefined,
 * `status` set). Carries what a log needs; never shown to users.
 */
export class WechatApiError extends WorkplanError {
  readonly platform: Platform;
  readonly method: string;
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly status?: number;
  constructor(
    platform: Platform,
    method: string,
    detail: { errcode?: number; errmsg?: string; status?: number },
    options?: ErrorOptions,
  ) {
    const what =
      detail.errcode !== undefined ? `errcode ${detail.errcode} ${detail.errmsg ?? ''}`.trim() : `HTTP ${detail.status ?? 'failure'}`;
    super('E_WECHAT_API', `${platform} ${method}: ${what}`, options);
    this.platform = platform;
    this.method = method;
    if (detail.errcode !== undefined) this.errcode = detail.errcode;
    if (detail.errmsg !== undefined) this.errmsg = detail.errmsg;
    if (detail.status !== undefined) this.status = detail.status;
  }

  /** The access token was rejected: refresh it once and retry. */
  get tokenRejected(): boolean {
    return this.errcode !== undefined && TOKEN_ERRCODES.has(this.errcode);
  }
}

/** A file a user sent is larger than the channel downloads; `bytes` is known when the platform declared it. */
export class MediaTooLargeError extends WorkplanError {
  readonly platform: Platform;
  readonly bytes?: number;
  readonly maxBytes: number;
  constructor(platform: Platform, bytes: number | undefined, maxBytes: number) {
    super('E_WECHAT_MEDIA_TOO_LARGE', `${platform} media/get: ${bytes ?? 'more than'} bytes, limit ${maxBytes}`);
    this.platform = platform;
    if (bytes !== undefined) this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/** 40001 invalid credential, 40014 invalid access_token, 42001 access_token expired. */
const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);
