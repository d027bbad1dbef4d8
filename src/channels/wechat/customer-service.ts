import { createHash } from 'node:crypto';
import contentDisposition from 'content-disposition';
import { z } from 'zod';
import type { SharedState } from '../../shared/state.ts';
import { AccessTokenCache, type IssuedToken } from './access-token.ts';
import { MediaTooLargeError, WechatApiError, type Platform } from './errors.ts';

/**
 * Messages sent outside the 5-second reply window: the Official Account's customer-service API
 * (POST /cgi-bin/message/custom/send) and WeCom's app message API (POST /cgi-bin/message/send).
 * The access token is cached (see AccessTokenCache), in `state` when given so replicas share it; when
 * the API says the token is invalid or expired (40001, 40014, 42001) the client refreshes it once and
 * retries. The same client downloads the files users send (GET /cgi-bin/media/get), with the same
 * token and the same one refresh.
 *
 * ```ts
 * const cs = createCustomerService({ platform: 'wechat', apiRoot, credentials: { appId, secret } });
 * await cs.sendText(openid, '增加普惠托位300个,…');
 * ```
 */
export interface CustomerService {
  /** Sends a text message to a user (openid / WeCom userid). `agentId` is the WeCom fallback. */
  sendText(user: string, content: string, agentId?: string): Promise<void>;
}

/** Downloads the files users send. */
export interface MediaDownloader {
  /**
   * Downloads a file a user sent (its MediaId, valid for three days), refusing more than `maxBytes`
   * (MediaTooLargeError) before or while reading it. An error JSON instead of the file is a
   * WechatApiError.
   */
  downloadMedia(mediaId: string, maxBytes: number): Promise<DownloadedMedia>;
}

export interface DownloadedMedia {
  bytes: Uint8Array;
  /** The file name from Content-Disposition, when the platform gave one. */
  name?: string;
}

export type Credentials =
  | { platform: 'wechat'; appId: string; secret: string }
  | { platform: 'wecom'; corpId: string; secret: string; agentId?: string };

export interface CustomerServiceOptions {
  credentials: Credentials;
  /** e.g. https://api.weixin.qq.com, without a trailing slash. */
  apiRoot: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Timeout of a whole media download (default 60 s). */
  downloadTimeoutMs?: number;
  /** Shared with other replicas: the access token is cached there (else in this process). */
  state?: SharedState;
}

const ApiResult = z.object({ errcode: z.coerce.number().optional(), errmsg: z.string().optional() }).loose();
const TokenResult = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

export function createCustomerService(options: CustomerServiceOptions): CustomerService & MediaDownloader {
  const { credentials } = options;
  const platform: Platform = credentials.platform;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 60_000;
  const root = options.apiRoot.replace(/\/+$/, '');

  async function call(method: string, url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw new WechatApiError(platform, method, {}, { cause });
    }
    const body: unknown = await res.json().catch(() => undefined);
    const parsed = ApiResult.safeParse(body);
    if (!res.ok || !parsed.success) throw new WechatApiError(platform, method, { status: res.status });
    const { errcode, errmsg } = parsed.data;
    if (errcode !== undefined && errcode !== 0) {
      throw new WechatApiError(platform, method, { errcode, ...(errmsg !== undefined ? { errmsg } : {}) });
    }
    return parsed.data;
  }

  async function issue(): Promise<IssuedToken> {
    const query: { path: string; params: Record<string, string> } =
      credentials.platform === 'wechat'
        ? { path: '/cgi-bin/token', params: { grant_type: 'client_credential', appid: credentials.appId, secret: credentials.secret } }
        : { path: '/cgi-bin/gettoken', params: { corpid: credentials.corpId, corpsecret: credentials.secret } };
    const method = query.path.slice('/cgi-bin/'.length);
    const data = await call(method, `${root}${query.path}?${new URLSearchParams(query.params)}`);
    const token = TokenResult.safeParse(data);
    if (!token.success) throw new WechatApiError(platform, method, { errmsg: 'no access_token in the answer' });
    return { token: token.data.access_token, expiresIn: token.data.expires_in };
  }

  const tokens = new AccessTokenCache(issue, options.now ?? Date.now, {
    ...(options.state ? { state: options.state } : {}),
    key: tokenKey(credentials),
  });

  /** Runs `request` with the cached token; once more with a fresh one when the API rejects it. */
  async function withToken<T>(request: (token: string) => Promise<T>): Promise<T> {
    const token = await tokens.get();
    try {
      return await request(token);
    } catch (err) {
      if (!(err instanceof WechatApiError && err.tokenRejected)) throw err;
      await tokens.invalidate(token);
      return request(await tokens.get());
    }
  }

  async function post(path: string, payload: object): Promise<void> {
    await withToken((token) =>
      call(path.slice('/cgi-bin/'.length), `${root}${path}?${new URLSearchParams({ access_token: token })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(payload),
      }),
    );
  }

  async function fetchMedia(token: string, mediaId: string, maxBytes: number): Promise<DownloadedMedia> {
    const method = 'media/get';
    let res: Response;
    try {
      res = await fetchFn(`${root}/cgi-bin/media/get?${new URLSearchParams({ access_token: token, media_id: mediaId })}`, {
        signal: AbortSignal.timeout(downloadTimeoutMs),
      });
    } catch (cause) {
      throw new WechatApiError(platform, method, {}, { cause });
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new WechatApiError(platform, method, { status: res.status });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body.cancel();
      throw new MediaTooLargeError(platform, declared, maxBytes);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readAtMost(res.body, maxBytes, () => new MediaTooLargeError(platform, undefined, maxBytes));
    } catch (cause) {
      // Cut off or timed out half-way: a failed download like any other.
      if (cause instanceof MediaTooLargeError) throw cause;
      throw new WechatApiError(platform, method, { errmsg: 'download interrupted' }, { cause });
    }
    // An error comes as JSON in place of the file ({"errcode":40007,"errmsg":"invalid media_id"}),
    // without the file's Content-Disposition; a TXT report served as text/plain is still a file.
    if (!res.headers.get('content-disposition') && /json|text\/plain/i.test(res.headers.get('content-type') ?? '')) {
      const error = apiError(bytes);
      if (error) throw new WechatApiError(platform, method, error);
    }
    const name = fileName(res.headers.get('content-disposition'));
    return { bytes, ...(name ? { name } : {}) };
  }

  return {
    async sendText(user, content, agentId) {
      if (credentials.platform === 'wechat') {
        await post('/cgi-bin/message/custom/send', { touser: user, msgtype: 'text', text: { content } });
        return;
      }
      const agent = credentials.agentId ?? agentId;
      if (agent === undefined || !/^\d+$/.test(agent)) {
        throw new WechatApiError(platform, 'message/send', { errmsg: 'no numeric agent id (WECOM_AGENT_ID)' });
      }
      await post('/cgi-bin/message/send', { touser: user, msgtype: 'text', agentid: Number(agent), text: { content }, safe: 0 });
    },
    downloadMedia(mediaId, maxBytes) {
      return withToken((token) => fetchMedia(token, mediaId, maxBytes));
    },
  };
}

/** The errcode and errmsg of a small JSON error body; undefined when the body is anything else. */
function apiError(bytes: Uint8Array): { errcode: number; errmsg?: string } | undefined {
  if (bytes.byteLength > 4096) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = ApiResult.safeParse(body);
  if (!parsed.success) return undefined;
  const { errcode, errmsg } = parsed.data;
  if (errcode === undefined || errcode === 0) return undefined;
  return { errcode, ...(errmsg !== undefined ? { errmsg } : {}) };
}

/** The whole body, or `tooLarge()` as soon as it passes `maxBytes` (the rest is not read). */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * The file name in a Content-Disposition header: `filename*` (RFC 5987) or `filename`, which the
 * platforms may send as raw UTF-8 (read by fetch as Latin-1) or percent-encoded.
 */
export function fileName(header: string | null): string | undefined {
  if (!header) return undefined;
  let parameters: Record<string, string>;
  try {
    parameters = contentDisposition.parse(header).parameters;
  } catch {
    return undefined;
  }
  let name = parameters['filename'];
  if (!name) return undefined;
  if (/[\u0080-\u00ff]/.test(name) && !/[^\u0000-\u00ff]/.test(name)) {
    const utf8 = Buffer.from(name, 'latin1').toString('utf8');
    if (!utf8.includes('\ufffd')) name = utf8;
  }
  if (/%[0-9A-Fa-f]{2}/.test(name)) {
    try {
      name = decodeURIComponent(name);
    } catch {
      // Not percent-encoding after all: kept as it came.
    }
  }
  return name.trim() || undefined;
}

/**
 * The state key of the access token: one per Official Account app id, one per WeCom corp id and
 * secret (each WeCom app has its own secret and token). The secret appears only as a short hash.
 */
function tokenKey(credentials: Credentials): string {
  if (credentials.platform === 'wechat') return `wechat:token:${encodeURIComponent(credentials.appId)}`;
  const secret = createHash('sha256').update(credentials.secret).digest('hex').slice(0, 16);
  return `wecom:token:${encodeURIComponent(credentials.corpId)}:${secret}`;
}
