import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SharedState } from '../../shared/state.ts';
import { AccessTokenCache, type IssuedToken } from './access-token.ts';
import { WechatApiError, type Platform } from './errors.ts';

/**
 * Messages sent outside the 5-second reply window: the Official Account's customer-service API
 * (POST /cgi-bin/message/custom/send) and WeCom's app message API (POST /cgi-bin/message/send).
 * The access token is cached (see AccessTokenCache), in `state` when given so replicas share it; when
 * the API says the token is invalid or expired (40001, 40014, 42001) the client refreshes it once and
 * retries.
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
  /** Shared with other replicas: the access token is cached there (else in this process). */
  state?: SharedState;
}

const ApiResult = z.object({ errcode: z.coerce.number().optional(), errmsg: z.string().optional() }).loose();
const TokenResult = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

export function createCustomerService(options: CustomerServiceOptions): CustomerService {
  const { credentials } = options;
  const platform: Platform = credentials.platform;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
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

  async function post(path: string, payload: object): Promise<void> {
    const send = async (token: string) =>
      call(path.slice('/cgi-bin/'.length), `${root}${path}?${new URLSearchParams({ access_token: token })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(payload),
      });
    const token = await tokens.get();
    try {
      await send(token);
    } catch (err) {
      if (!(err instanceof WechatApiError && err.tokenRejected)) throw err;
      await tokens.invalidate(token);
      await send(await tokens.get());
    }
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
  };
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
