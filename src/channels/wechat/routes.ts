import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AskFn } from '../../answer/types.ts';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { MemoryState, type SharedState } from '../../shared/state.ts';
import { MAX_BODY_BYTES, officialAccountCallback, wecomCallback, type CallbackHandlers } from './callback.ts';
import { Conversation } from './conversation.ts';
import { MessageCipher } from './crypto.ts';
import { createCustomerService, type Credentials } from './customer-service.ts';
import type { Platform } from './errors.ts';
import { ReportUploads, type UploadDeps } from './uploads.ts';

/**
 * The WeChat Official Account (/wechat) and WeCom self-built app (/wecom) callbacks as a Hono
 * sub-app. Each path is live when its token is configured and answers 404 otherwise.
 *
 * ```ts
 * const state = createSharedState({ redisUrl: config.REDIS_URL, logger });
 * app.route('/', createWechatRoutes({ ask, config, logger, metrics, examples: engine.examples, state }));
 * logger.info(wechatStatus(config), 'wechat channels');
 * ```
 *
 * With `state` shared by several replicas (Redis), they behave as one: a retry answered by another
 * replica is not asked again, "更多" continues anywhere, and one access token serves them all.
 */
export interface WechatRoutesDeps {
  ask: AskFn;
  config: Config;
  logger: Logger;
  metrics?: Metrics;
  /** Example questions for the welcome message. */
  examples: readonly string[] | (() => readonly string[]);
  /** 目标一览 [地区] [指标]: the targets table as text (see src/targets/command.ts). */
  targets?: (args: string) => string | undefined;
  /** For the customer-service API (tests, proxies). */
  fetch?: typeof fetch;
  /** Epoch milliseconds: timestamps, expiry of duplicates, pages and tokens. */
  now?: () => number;
  /** Wait this long for an answer before acknowledging and sending it by API (default 4000). */
  deadlineMs?: number;
  /**
   * What requests share: delivery claims and outcomes, "更多" pages, access tokens. Give every replica
   * the same (Redis-backed) state; without it, this process's memory (one replica, as before).
   */
  state?: SharedState;
  /**
   * Reports sent as files to the WeCom app by WECOM_ADMIN_IDS: the library they are added to and the
   * reload that makes them live. Needs WECOM_SECRET (the file is downloaded with the app's token).
   */
  uploads?: UploadDeps;
}

export const DEFAULT_DEADLINE_MS = 4000;

export interface PlatformStatus {
  enabled: boolean;
  why: string;
}

type ConfigFor = Pick<
  Config,
  | 'WECHAT_TOKEN'
  | 'WECHAT_ENCODING_AES_KEY'
  | 'WECHAT_APP_ID'
  | 'WECHAT_APP_SECRET'
  | 'WECHAT_API_ROOT'
  | 'WECOM_TOKEN'
  | 'WECOM_ENCODING_AES_KEY'
  | 'WECOM_CORP_ID'
  | 'WECOM_AGENT_ID'
  | 'WECOM_SECRET'
  | 'WECOM_API_ROOT'
  | 'WECOM_ADMIN_IDS'
>;

/** For the startup log: whether each callback is live and why, in developer English. */
export function wechatStatus(config: ConfigFor): Record<Platform, PlatformStatus> {
  const wechat = wechatSetup(config);
  const wecom = wecomSetup(config);
  return {
    wechat: wechat.ok
      ? {
          enabled: true,
          why: `on at /wechat, ${wechat.cipher ? 'compatible/safe mode (AES)' : 'plaintext mode'}, ${apiStatus(wechat.credentials, 'WECHAT_APP_ID and WECHAT_APP_SECRET')}`,
        }
      : { enabled: false, why: `off, ${wechat.missing}` },
    wecom: wecom.ok
      ? {
          enabled: true,
          why: `on at /wecom, ${apiStatus(wecom.credentials, 'WECOM_SECRET')}${uploadStatus(config, wecom.credentials)}`,
        }
      : { enabled: false, why: `off, ${wecom.missing}` },
  };
}

export function createWechatRoutes(deps: WechatRoutesDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;
  const deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const { config, logger } = deps;
  const state = deps.state ?? new MemoryState({ now });

  const conversation = (channel: Platform, credentials: Credentials | undefined, apiRoot: string, admins: readonly string[] = []) => {
    const client = credentials
      ? createCustomerService({ credentials, apiRoot, now, state, ...(deps.fetch ? { fetch: deps.fetch } : {}) })
      : undefined;
    // Only WeCom takes uploads, and only with the app's token to download them.
    const uploads =
      client && deps.uploads && admins.length
        ? new ReportUploads({ ...deps.uploads, channel, admins, media: client, send: client, logger, ...(deps.metrics ? { metrics: deps.metrics } : {}) })
        : undefined;
    return new Conversation({
      channel,
      ask: deps.ask,
      examples: deps.examples,
      ...(deps.targets ? { targets: deps.targets } : {}),
      logger,
      now,
      deadlineMs,
      state,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(client ? { customerService: client } : {}),
      ...(uploads ? { uploads } : {}),
    });
  };
  const common = { logger, now, ...(deps.metrics ? { metrics: deps.metrics } : {}) };

  const mount = (path: '/wechat' | '/wecom', handlers: CallbackHandlers | undefined) => {
    if (!handlers) {
      // Explicit, so a catch-all route of the host app never answers for a disabled callback.
      app.all(path, (c) => c.text('Not Found', 404));
      return;
    }
    const channel = path.slice(1);
    const tooLarge = bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => {
        logger.warn({ channel, reason: 'too-large' }, 'callback rejected');
        deps.metrics?.errors.inc({ channel, kind: 'too-large' });
        return c.body(null, 413);
      },
    });
    app.get(path, (c) => handlers.verify(c));
    app.post(path, tooLarge, (c) => handlers.receive(c));
    app.all(path, (c) => c.body(null, 405, { allow: 'GET, POST' }));
  };

  const wechat = wechatSetup(config);
  mount(
    '/wechat',
    wechat.ok
      ? officialAccountCallback({
          ...common,
          token: wechat.token,
          conversation: conversation('wechat', wechat.credentials, config.WECHAT_API_ROOT),
          ...(wechat.cipher ? { cipher: wechat.cipher } : {}),
        })
      : undefined,
  );

  const wecom = wecomSetup(config);
  mount(
    '/wecom',
    wecom.ok
      ? wecomCallback({
          ...common,
          token: wecom.token,
          cipher: wecom.cipher,
          conversation: conversation('wecom', wecom.credentials, config.WECOM_API_ROOT, config.WECOM_ADMIN_IDS),
        })
      : undefined,
  );
  return app;
}

type Setup<T> = ({ ok: true; token: string; credentials?: Credentials } & T) | { ok: false; missing: string };

function wechatSetup(config: ConfigFor): Setup<{ cipher?: MessageCipher }> {
  const token = config.WECHAT_TOKEN;
  if (!token) return { ok: false, missing: 'WECHAT_TOKEN not set' };
  const key = config.WECHAT_ENCODING_AES_KEY;
  const appId = config.WECHAT_APP_ID;
  if (key && !appId) return { ok: false, missing: 'WECHAT_APP_ID not set (required with WECHAT_ENCODING_AES_KEY)' };
  const secret = config.WECHAT_APP_SECRET;
  return {
    ok: true,
    token,
    ...(key && appId ? { cipher: new MessageCipher(key, appId) } : {}),
    ...(appId && secret ? { credentials: { platform: 'wechat', appId, secret } as const } : {}),
  };
}

function wecomSetup(config: ConfigFor): Setup<{ cipher: MessageCipher }> {
  const token = config.WECOM_TOKEN;
  if (!token) return { ok: false, missing: 'WECOM_TOKEN not set' };
  const key = config.WECOM_ENCODING_AES_KEY;
  if (!key) return { ok: false, missing: 'WECOM_ENCODING_AES_KEY not set' };
  const corpId = config.WECOM_CORP_ID;
  if (!corpId) return { ok: false, missing: 'WECOM_CORP_ID not set' };
  const secret = config.WECOM_SECRET;
  const agentId = config.WECOM_AGENT_ID;
  return {
    ok: true,
    token,
    cipher: new MessageCipher(key, corpId),
    ...(secret
      ? { credentials: { platform: 'wecom', corpId, secret, ...(agentId ? { agentId } : {}) } as const }
      : {}),
  };
}

/** Report uploads by WECOM_ADMIN_IDS, when configured: on, or why not. */
function uploadStatus(config: ConfigFor, credentials: Credentials | undefined): string {
  const admins = config.WECOM_ADMIN_IDS.length;
  if (!admins) return '';
  if (!credentials) return ', report uploads off (WECOM_SECRET not set: files cannot be downloaded)';
  return `, report uploads by ${admins} admin${admins === 1 ? '' : 's'} (WECOM_ADMIN_IDS)`;
}

function apiStatus(credentials: Credentials | undefined, needs: string): string {
  if (!credentials) return `customer-service API off (${needs} not set): answers slower than the deadline get an apology`;
  if (credentials.platform === 'wecom' && !credentials.agentId) {
    return 'customer-service API on (agent id taken from each message; set WECOM_AGENT_ID to pin it)';
  }
  return 'customer-service API on';
}
