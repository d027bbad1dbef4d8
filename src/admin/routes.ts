import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { ChannelEngine } from '../answer/engine.ts';
import type { Lexicon } from '../corpus/lexicon.ts';
import { PERIOD_LABEL } from '../corpus/periods.ts';
import type { Period } from '../corpus/types.ts';
import { MAX_FILE_BYTES } from '../ingest/formats.ts';
import type { AddOverrides, ReportLibrary } from '../ingest/library.ts';
import { IngestError } from '../ingest/types.ts';
import type { Logger } from '../logger.ts';
import type { ReloadOutcome, ReloadStatus } from '../server/live.ts';
import { apiError, clientAddress, isJson } from '../server/http.ts';
import type { ApiErrorCode } from '../server/messages.ts';
import { toCsv } from '../shared/csv.ts';
import { extractTargets, indicatorTable, KIND_LABEL } from '../targets/extract.ts';
import { adminMessages as M } from './messages.ts';
import { dummyHash, verifyPassword } from './password.ts';
import { csrfMatches, SignInLimits, type Session, type Sessions } from './sessions.ts';
import { MAX_TOP, type AdminStore, type AuditRecord, type QuestionFilter, type Role } from './store.ts';

/**
 * The console's API under /api/admin and the page at /admin:
 *
 *   POST   /api/admin/session {name, password}  → 200 {name, role, csrf} and the cookie; 401; 429
 *   GET    /api/admin/session                   → who is signed in, and the CSRF token
 *   DELETE /api/admin/session                   → signs out
 *   GET    /api/admin/reports                   → the loaded reports and the last reload   (admin)
 *   POST   /api/admin/reports/preview           → what a file would be read as; changes nothing (admin)
 *   POST   /api/admin/reports                   → adds it and makes it live               (admin)
 *   DELETE /api/admin/reports/:id               → removes a report                        (admin)
 *   GET    /api/admin/questions?refused=1&vote=down&channel=&from=&to=&format=csv   (admin, reviewer)
 *   GET    /api/admin/questions/top?channel=&from=&to=&limit=   → the most asked, by normalised text (admin, reviewer)
 *   GET    /api/admin/audit                     → the audit log                           (admin)
 *
 * Without a session every route but sign-in answers 401; with the wrong role 403. A request that
 * changes anything must come from the console's own origin (Origin header, Sec-Fetch-Site) and carry
 * the session's token in X-CSRF-Token; otherwise 403.
 */
export interface AdminDeps {
  store: AdminStore;
  sessions: Sessions;
  limits: SignInLimits;
  /** The engine serving now (levels and parts of each report). */
  engine: ChannelEngine;
  /** The reports directory; without it the report routes answer 503. */
  library?: ReportLibrary;
  /** Makes a change live; resolves once it is. */
  reload?: (reason: string) => Promise<ReloadOutcome>;
  reloads?: () => ReloadStatus;
  /** The indicator dictionary, for the main targets of a preview. */
  lexicon?: () => Pick<Lexicon, 'indicators'>;
  /** PUBLIC_URL: its origin is the console's; the cookie is Secure when it is https. */
  publicUrl?: string | undefined;
  trustProxy: boolean;
  logger: Logger;
}

/** Largest upload body: the file limit of `npm run add` plus room for the multipart framing. */
export const MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 64 * 1024;

/** Paths whose body is an uploaded report (the app's smaller body limits do not apply). */
export function isUploadPath(method: string, path: string): boolean {
  return method === 'POST' && (path === '/api/admin/reports' || path === '/api/admin/reports/preview');
}

type Env = { Variables: { session: Session; sessionId: string } };

const SignIn = z.object({ name: z.string().trim().min(1).max(64), password: z.string().min(1).max(1024) });

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** China Standard Time: the dates of the questions filter are the offices' days. */
const CST = '+08:00';

export function adminRoutes(deps: AdminDeps): Hono<Env> {
  const app = new Hono<Env>();
  const secure = deps.publicUrl?.startsWith('https:') ?? false;
  const cookieName = secure ? '__Host-workplan_admin' : 'workplan_admin';
  const ownOrigin = (c: Context): string => (deps.publicUrl ? new URL(deps.publicUrl).origin : new URL(c.req.url).origin);
  const address = (c: Context): string | undefined => clientAddress(c, deps.trustProxy);
  const error = (c: Context, status: 400 | 401 | 403 | 404 | 413 | 415 | 422 | 429 | 503, code: ApiErrorCode, message: string, headers?: Record<string, string>) =>
    apiError(c, status, code, message, headers);

  const audit = async (c: Context, r: Omit<AuditRecord, 'address'>): Promise<void> => {
    try {
      await deps.store.audit({ ...r, address: address(c) });
    } catch (err) {
      deps.logger.error({ err, action: r.action }, 'console: the audit log could not be written');
    }
  };

  // Cross-site requests that change anything stop here, before the session or the body is read.
  // (Scoped: this app is mounted at the root beside the public API, which takes cross-site questions.)
  app.use('/api/admin/*', async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    if ((site && site !== 'same-origin') || !origin || origin !== ownOrigin(c)) return error(c, 403, 'cross_site', M.crossSite);
    return next();
  });

  const session = (roles: readonly Role[]): MiddlewareHandler<Env> => async (c, next) => {
    const id = getCookie(c, cookieName);
    let s: Session | undefined;
    try {
      s = await deps.sessions.get(id);
    } catch (err) {
      deps.logger.error({ err }, 'console: sessions unavailable');
      return error(c, 503, 'unavailable', M.storeUnavailable);
    }
    if (s) {
      // The account as it is now: removed or given a new password since sign-in, the session is over.
      // (A store that does not answer ends no session: it is a 503 until it is back.)
      let account;
      try {
        account = await deps.store.account(s.name);
      } catch (err) {
        deps.logger.error({ err }, 'console: accounts unavailable');
        return error(c, 503, 'unavailable', M.storeUnavailable);
      }
      if (!account || account.updatedAt !== s.stamp) {
        await deps.sessions.destroy(id);
        s = undefined;
      } else s.role = account.role;
    }
    if (!s) return error(c, 401, id ? 'session_expired' : 'unauthorized', id ? M.sessionExpired : M.signInRequired);
    if (!roles.includes(s.role)) return error(c, 403, 'forbidden', M.forbidden);
    if (UNSAFE.has(c.req.method) && !csrfMatches(s, c.req.header('x-csrf-token'))) return error(c, 403, 'csrf_token', M.csrf);
    c.set('session', s);
    c.set('sessionId', id!);
    return next();
  };
  const anyone = session(['admin', 'reviewer']);
  const admins = session(['admin']);

  // The console page itself is served by webRoutes; without a session it sends people to sign in.
  app.use('/admin', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const s = await deps.sessions.get(getCookie(c, cookieName)).catch(() => undefined);
    if (!s) return c.redirect('/admin/signin', 303);
    c.header('Cache-Control', 'no-store');
    return next();
  });
  app.use('/admin/signin', async (c, next) => {
    const s = await deps.sessions.get(getCookie(c, cookieName)).catch(() => undefined);
    if (s && c.req.method === 'GET') return c.redirect('/admin', 303);
    return next();
  });

  app.post('/api/admin/session', async (c) => {
    if (!isJson(c.req.header('content-type'))) return error(c, 415, 'unsupported_media_type', M.signInBody);
    const body = SignIn.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return error(c, 400, 'invalid_body', M.signInBody);
    const { name, password } = body.data;
    const keys = SignInLimits.keys(name, address(c));
    const limit = await deps.limits.take(keys);
    if (!limit.allowed) {
      await audit(c, { actor: name, action: 'session.limited' });
      return error(c, 429, 'rate_limited', M.tooManyAttempts(limit.retryAfterSeconds), { 'Retry-After': String(limit.retryAfterSeconds) });
    }
    let account;
    try {
      account = await deps.store.account(name);
    } catch (err) {
      deps.logger.error({ err }, 'console: accounts unavailable');
      return error(c, 503, 'unavailable', M.storeUnavailable);
    }
    // An unknown name costs the same scrypt as a known one, so timing does not tell names apart.
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyHash()));
    if (!account || !ok) {
      await audit(c, { actor: name, action: 'session.refused' });
      return error(c, 401, 'unauthorized', M.wrongPassword);
    }
    await deps.limits.succeed(keys);
    // A new id at every sign-in; the session the browser had before (if any) ends.
    await deps.sessions.destroy(getCookie(c, cookieName));
    const { id, session: s } = await deps.sessions.create(account.name, account.role, account.updatedAt);
    setCookie(c, cookieName, id, { path: '/', httpOnly: true, sameSite: 'Strict', secure, maxAge: Math.floor(deps.sessions.maxMs / 1000) });
    await audit(c, { actor: account.name, action: 'session.create' });
    return c.json({ name: s.name, role: s.role, csrf: s.csrf });
  });

  app.get('/api/admin/session', anyone, (c) => {
    const s = c.get('session');
    return c.json({ name: s.name, role: s.role, csrf: s.csrf });
  });

  app.delete('/api/admin/session', anyone, async (c) => {
    await deps.sessions.destroy(c.get('sessionId'));
    deleteCookie(c, cookieName, { path: '/', secure });
    await audit(c, { actor: c.get('session').name, action: 'session.delete' });
    return c.json({ message: M.signedOut });
  });

  app.get('/api/admin/reports', admins, async (c) => {
    if (!deps.library) return error(c, 503, 'unavailable', M.reportsUnavailable);
    const docs = new Map(deps.engine.info.documents.map((d) => [d.id, d]));
    const added = await deps.store.addedBy().catch(() => new Map<string, { actor: string; at: number }>());
    const reports = deps.library.list().map((e) => {
      const doc = docs.get(e.id);
      const by = added.get(e.id);
      return {
        id: e.id,
        title: e.title,
        region: e.region,
        ...(doc?.level ? { level: doc.level } : {}),
        year: e.year,
        periods: (doc?.periods ?? []).filter((p) => p !== 'front').map((p) => ({ period: p, label: periodLabel(p as Period, e.year) })),
        paragraphs: e.paragraphs,
        file: e.file,
        ...(e.original ? { original: e.original } : {}),
        live: docs.has(e.id),
        ...(by ? { addedBy: by.actor, addedAt: new Date(by.at).toISOString() } : {}),
      };
    });
    return c.json({ reports, ...(deps.reloads ? { reload: deps.reloads() } : {}) });
  });

  app.post('/api/admin/reports/preview', admins, async (c) => {
    const upload = await readUpload(c);
    if ('response' in upload) return upload.response;
    try {
      const { report, ...preview } = await deps.library!.preview(upload.name, upload.bytes, upload.overrides);
      const table = deps.lexicon ? indicatorTable(deps.lexicon()) : undefined;
      const targets = table
        ? extractTargets(report, table)
            // This year's main expected targets first, then the rest in the report's order.
            .map((t, i) => ({ t, i, rank: (t.main ? 0 : 2) + (t.kind === 'target' ? 0 : 1) }))
            .sort((a, b) => a.rank - b.rank || a.i - b.i)
            .map(({ t }) => t)
            .slice(0, 30)
            .map((t) => ({ kind: KIND_LABEL[t.kind], indicator: t.indicator, years: t.years, value: t.value, ...(t.high !== undefined ? { high: t.high } : {}), unit: t.unit, qualifier: t.qualifier }))
        : [];
      await audit(c, { actor: c.get('session').name, action: 'report.preview', target: preview.id, detail: upload.name });
      return c.json({ file: upload.name, ...preview, targets });
    } catch (err) {
      return rejected(c, err, upload.name);
    }
  });

  app.post('/api/admin/reports', admins, async (c) => {
    const upload = await readUpload(c);
    if ('response' in upload) return upload.response;
    const actor = c.get('session').name;
    try {
      const added = await deps.library!.add(upload.name, upload.bytes, upload.overrides);
      await audit(c, { actor, action: 'report.add', target: added.id, detail: `${added.title}(${upload.name})` });
      deps.logger.info({ actor, id: added.id, file: upload.name }, `report added in the console: ${added.title}`);
      const outcome = deps.reload ? await deps.reload('console upload') : 'unchanged';
      return c.json({ report: added, live: outcome !== 'failed' }, 201);
    } catch (err) {
      if (err instanceof IngestError) await audit(c, { actor, action: 'report.add.failed', detail: `${upload.name}: ${err.userMessage}` });
      return rejected(c, err, upload.name);
    }
  });

  app.delete('/api/admin/reports/:id', admins, async (c) => {
    if (!deps.library) return error(c, 503, 'unavailable', M.reportsUnavailable);
    const id = c.req.param('id');
    if (!deps.library.list().some((e) => e.id === id)) return error(c, 404, 'not_found', M.unknownReport);
    try {
      const removed = await deps.library.remove(id);
      await audit(c, { actor: c.get('session').name, action: 'report.remove', target: id, detail: removed.title });
      const outcome = deps.reload ? await deps.reload('console remove') : 'unchanged';
      return c.json({ removed: { id, title: removed.title }, live: outcome !== 'failed', message: M.removed(removed.title) });
    } catch (err) {
      return rejected(c, err, id);
    }
  });

  app.get('/api/admin/questions', anyone, async (c) => {
    const filter = questionFilter(c.req.query());
    if (!filter) return error(c, 400, 'invalid_query', M.badFilter);
    const rows = await deps.store.questions(filter);
    if (c.req.query('format') === 'csv') {
      await audit(c, { actor: c.get('session').name, action: 'questions.export', detail: new URL(c.req.url).search });
      const csv = toCsv([
        ['时间', '渠道', '问题', '已回答', '拒答原因', '拒答规则', '出处', '👍', '👎'],
        ...rows.map((r) => [new Date(r.at).toISOString(), r.channel, r.question, r.found ? '是' : '否', r.reason, r.rule, r.section, r.up, r.down]),
      ]);
      return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="questions.csv"` });
    }
    const days = await deps.store.daily(filter);
    return c.json({ questions: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })), days });
  });

  app.get('/api/admin/questions/top', anyone, async (c) => {
    const { limit, ...query } = c.req.query();
    const filter = questionFilter(query);
    if (!filter || (limit !== undefined && limit !== '' && !/^\d{1,3}$/.test(limit))) return error(c, 400, 'invalid_query', M.badFilter);
    const n = limit ? Math.min(Math.max(Number(limit), 1), MAX_TOP) : 20;
    const top = await deps.store.topQuestions({ ...filter, limit: n });
    return c.json({
      questions: top.map((t) => ({ question: t.question, count: t.count, refused: t.refused, refusedShare: Math.round((t.refused / t.count) * 1000) / 1000, lastAt: new Date(t.lastAt).toISOString() })),
    });
  });

  app.get('/api/admin/audit', admins, async (c) => {
    const entries = await deps.store.auditLog(500);
    return c.json({ entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) });
  });

  return app;

  async function readUpload(c: Context<Env>): Promise<{ name: string; bytes: Uint8Array; overrides: AddOverrides } | { response: Response }> {
    if (!deps.library) return { response: error(c, 503, 'unavailable', M.reportsUnavailable) };
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
      return { response: error(c, 415, 'unsupported_media_type', M.notMultipart) };
    }
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      return { response: error(c, 400, 'invalid_body', M.notMultipart) };
    }
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) return { response: error(c, 400, 'no_file', M.noFile) };
    if (file.size > MAX_FILE_BYTES) return { response: error(c, 413, 'payload_too_large', M.uploadTooLarge) };
    const overrides: AddOverrides = {};
    for (const field of ['title', 'region'] as const) {
      const v = form.get(field);
      if (typeof v !== 'string' || !v.trim()) continue;
      // A title or region is one line of words: no control characters, no file-system trouble.
      if ([...v.trim()].length > 100 || /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(v)) {
        return { response: error(c, 400, 'invalid_body', M.badField(field === 'title' ? '标题' : '地区')) };
      }
      overrides[field] = v.trim();
    }
    const year = form.get('year');
    if (typeof year === 'string' && year.trim()) {
      const y = Number(year.trim());
      if (!/^\d{4}$/.test(year.trim()) || y < 1949 || y > 2100) return { response: error(c, 400, 'invalid_body', M.badYear) };
      overrides.year = y;
    }
    // The name is only used for its extension and as a hint to region and year; never as a path.
    const name = (file.name || 'report').replace(/[\u0000-\u001f\u007f]/g, '').slice(-120);
    return { name, bytes: new Uint8Array(await file.arrayBuffer()), overrides };
  }

  function rejected(c: Context, err: unknown, what: string): Response {
    if (err instanceof IngestError) {
      deps.logger.info({ file: what, reason: err.reason, detail: err.message }, 'console: report not added');
      return error(c, err.reason === 'too-large' ? 413 : 422, 'report_rejected', err.userMessage);
    }
    throw err;
  }
}

function periodLabel(p: Period, year: number): string {
  return p === 'last-year' ? `${year - 1}年工作回顾` : p === 'current' ? `${year}年工作安排` : PERIOD_LABEL[p];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The query string as a filter; undefined when something in it is not understood. */
export function questionFilter(q: Record<string, string>): QuestionFilter | undefined {
  const f: QuestionFilter = {};
  if (q.refused !== undefined && q.refused !== '') {
    if (q.refused !== '1' && q.refused !== '0') return undefined;
    if (q.refused === '1') f.refused = true;
  }
  if (q.vote) {
    if (q.vote !== 'up' && q.vote !== 'down') return undefined;
    f.vote = q.vote;
  }
  if (q.channel) {
    if (!/^[\w-]{1,32}$/.test(q.channel)) return undefined;
    f.channel = q.channel;
  }
  for (const k of ['from', 'to'] as const) {
    const v = q[k];
    if (!v) continue;
    if (!DAY.test(v)) return undefined;
    const t = Date.parse(`${v}T00:00:00${CST}`);
    if (Number.isNaN(t)) return undefined;
    // `to` is the last day included.
    f[k] = k === 'to' ? t + 86_400_000 : t;
  }
  return f;
}
