import { randomBytes } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import type { TargetKind } from '../targets/extract.ts';
import { progressCsv } from '../targets/progress.ts';
import { filterTargets, targetsCsv } from '../targets/table.ts';

const TARGET_KINDS: readonly TargetKind[] = ['target', 'result', 'five-year-target', 'five-year-result'];
import { z } from 'zod';
import type { ChannelEngine } from '../answer/engine.ts';
import type { AskFn, DocumentInfo, OutlineNode, ParagraphView } from '../answer/types.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { hashUser, type FeedbackRecord } from '../store/store.ts';
import { apiError, clientAddress, isJson } from './http.ts';
import { apiMessages, MAX_API_QUESTION_CHARS, type ApiErrorCode } from './messages.ts';
import { clientKey, retryAfterSeconds, type RateLimiter } from './rate-limit.ts';
import { paragraphsOf, sectionView } from './section.ts';

/**
 * The JSON API under /api, used by the web page and by scripts:
 *
 *   POST /api/ask {question, maxCitations?, report?, region?} → the Answer JSON of ARCHITECTURE.md
 *   GET  /api/reports                         → { reports: [...], defaultRegion? }: what is loaded
 *   GET  /api/outline                         → engine.outline()
 *   GET  /api/paragraph/:docId/:n             → ParagraphView
 *   GET  /api/section/:docId?path=…|?paragraph=n → the paragraphs of one section, for the reader
 *   GET  /api/examples?report=id              → { examples } (of one report, or of the deployment)
 *   GET  /api/meta                            → what the page needs to start: title, documents, examples
 *   POST /api/feedback {question, vote, …}    → 👍/👎 into the query log (when a store is given)
 *
 * Questions over 2000 characters are refused (400); 501–2000 are answered, cut by the engine to its
 * first 500 characters with a notice in `answer.notice`.
 */
export interface ApiDeps {
  engine: ChannelEngine;
  ask: AskFn;
  metrics: Metrics;
  logger: Logger;
  limiter: RateLimiter;
  trustProxy: boolean;
  version: string;
  feedback?: { recordFeedback(r: FeedbackRecord): void };
}

const CHANNEL = 'web';

/** Zod's messages are our error codes, so one issue maps to one polite sentence. */
const Question = z
  .string({ error: (iss) => (iss.input === undefined || iss.input === null ? 'question_empty' : 'question_not_text') })
  .trim()
  .min(1, { error: 'question_empty' })
  .refine((s) => [...s].length <= MAX_API_QUESTION_CHARS, { error: 'question_too_long' });

const AskBody = z.object(
  {
    question: Question,
    maxCitations: z.number().int().min(1).max(3).optional(),
    /** One report (its id from /api/reports). */
    report: z.string().trim().min(1).max(100).optional(),
    /** One region's reports, named in any usual form (浙江, 浙江省). */
    region: z.string().trim().min(1).max(50).optional(),
    /** A conversation of the caller's choosing (a page session): follow-ups (去年呢) read against it. */
    conversationId: z.string().trim().regex(/^[\w.:-]{1,64}$/).optional(),
  },
  { error: 'invalid_body' },
);

const FeedbackBody = z.object(
  {
    question: Question,
    vote: z.enum(['up', 'down']),
    section: z.string().max(500).optional(),
    quote: z.string().max(MAX_API_QUESTION_CHARS).optional(),
  },
  { error: 'invalid_body' },
);

const KNOWN: ReadonlySet<string> = new Set<ApiErrorCode>(['question_empty', 'question_not_text', 'question_too_long']);

function codeOf(error: z.ZodError): ApiErrorCode {
  const message = error.issues[0]?.message ?? '';
  return KNOWN.has(message) ? (message as ApiErrorCode) : 'invalid_body';
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<Parsed<T>> {
  if (!isJson(c.req.header('content-type'))) return { ok: false, response: apiError(c, 415, 'unsupported_media_type') };
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return { ok: false, response: apiError(c, 400, 'invalid_json') };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, response: apiError(c, 400, codeOf(parsed.error)) };
  return { ok: true, value: parsed.data };
}

export function apiRoutes(deps: ApiDeps): Hono {
  const api = new Hono();
  const { engine, limiter } = deps;
  // Web users have no account: the query log gets a hash of the address with a per-process salt,
  // enough to tell askers apart within a run and useless for recovering an address.
  const salt = randomBytes(16).toString('hex');
  const userOf = (c: Context): string | undefined => {
    const address = clientAddress(c, deps.trustProxy);
    return address ? hashUser(CHANNEL, clientKey(address), salt) : undefined;
  };

  // A conversation belongs to its caller's address (the same on every replica, unlike the log's
  // per-process salt), so one caller cannot continue another's.
  const conversationScope = (c: Context): string => hashUser('conversation', clientKey(clientAddress(c, deps.trustProxy)));

  const rateLimit =
    (bucket: string): MiddlewareHandler =>
    async (c, next) => {
      const key = `${bucket}:${clientKey(clientAddress(c, deps.trustProxy))}`;
      const d = await limiter.hit(key);
      c.header('RateLimit-Limit', String(d.limit));
      c.header('RateLimit-Remaining', String(d.remaining));
      c.header('RateLimit-Reset', String(Math.ceil(d.resetMs / 1000)));
      if (!d.allowed) {
        const seconds = retryAfterSeconds(d);
        deps.metrics.rateLimited.inc({ channel: CHANNEL });
        deps.logger.debug({ key, requestId: c.get('requestId') }, 'rate limited');
        return apiError(c, 429, 'rate_limited', apiMessages.rateLimited(seconds), { 'Retry-After': String(seconds) });
      }
      await next();
    };

  api.post('/ask', rateLimit('ask'), async (c) => {
    const body = await readBody(c, AskBody);
    if (!body.ok) return body.response;
    const userId = userOf(c);
    const { report, region } = body.value;
    let scope: { report?: string; region?: string } = {};
    if (report) {
      const doc = engine.info.documents.find((d) => d.id === report);
      if (!doc) return apiError(c, 400, 'unknown_report', apiMessages.unknownReport);
      scope = { report: doc.id };
    } else if (region) {
      const doc = engine.findReport(region);
      if (!doc) return apiError(c, 400, 'unknown_region', apiMessages.unknownRegion(region.slice(0, 20)));
      scope = { region: doc.region };
    }
    const answer = await deps.ask(body.value.question, {
      channel: CHANNEL,
      ...(userId ? { userId } : {}),
      ...(body.value.maxCitations ? { maxCitations: body.value.maxCitations } : {}),
      // Scoped to the client's address too, so one caller cannot read into another's conversation.
      ...(body.value.conversationId ? { conversationId: `${conversationScope(c)}:${body.value.conversationId}` } : {}),
      ...scope,
    });
    return c.json(answer, 200, { 'Cache-Control': 'no-store' });
  });
  api.on(['GET', 'PUT', 'PATCH', 'DELETE'], '/ask', (c) => apiError(c, 405, 'method_not_allowed', undefined, { Allow: 'POST' }));

  api.post('/feedback', rateLimit('feedback'), async (c) => {
    if (!deps.feedback) return apiError(c, 404, 'feedback_unavailable');
    const body = await readBody(c, FeedbackBody);
    if (!body.ok) return body.response;
    const userHash = userOf(c);
    const { question, vote, section, quote } = body.value;
    deps.feedback.recordFeedback({
      question,
      vote,
      channel: CHANNEL,
      ...(section ? { section } : {}),
      ...(quote ? { quote } : {}),
      ...(userHash ? { userHash } : {}),
    });
    return c.json({ ok: true, message: apiMessages.feedbackThanks }, 200, { 'Cache-Control': 'no-store' });
  });

  // The reports can change while the server runs (an upload, a file dropped in): what is derived
  // from them is computed once per loaded engine, and clients revalidate with an ETag.
  let derivedFor: object | undefined;
  let derived: { outline: OutlineNode[]; documents: DocumentInfo[]; paragraphs: Map<string, ParagraphView[]> } = {
    outline: [],
    documents: [],
    paragraphs: new Map(),
  };
  const current = (): typeof derived => {
    if (derivedFor !== engine.info) {
      derivedFor = engine.info;
      const documents = engine.info.documents;
      derived = { outline: engine.outline(), documents, paragraphs: new Map(documents.map((d) => [d.id, paragraphsOf(engine, d.id)])) };
    }
    return derived;
  };
  const cacheable = { 'Cache-Control': 'no-cache' };
  api.use('/outline', etag());
  api.use('/examples', etag());
  api.use('/reports', etag());
  api.use('/meta', etag());

  api.get('/outline', (c) => c.json(current().outline, 200, cacheable));

  api.get('/examples', (c) => {
    const report = c.req.query('report');
    return c.json({ examples: report ? engine.examplesFor(report) : engine.examples }, 200, cacheable);
  });

  api.get('/reports', (c) =>
    c.json({ reports: current().documents, ...(engine.info.defaultRegion ? { defaultRegion: engine.info.defaultRegion } : {}) }, 200, cacheable),
  );

  api.get('/meta', (c) => {
    const { documents } = current();
    return c.json(
      {
        version: deps.version,
        title: engine.info.title,
        documents,
        ...(engine.info.defaultRegion ? { defaultRegion: engine.info.defaultRegion } : {}),
        examples: engine.examples,
        examplesByReport: Object.fromEntries(documents.map((d) => [d.id, engine.examplesFor(d.id)])),
        feedback: Boolean(deps.feedback),
        maxQuestionChars: MAX_API_QUESTION_CHARS,
      },
      200,
      cacheable,
    );
  });

  /**
   * GET /api/targets?region=&indicator=&year=&kind=&report=&main=1 → {"targets": [...]}; CSV with
   * `Accept: text/csv` or `?format=csv`. Several values of one filter are separated by commas.
   */
  api.use('/targets', etag());
  api.get('/targets', (c) => {
    const list = (name: string): string[] =>
      (c.req.query(name) ?? '').split(/[,,、]/).map((x) => x.trim()).filter(Boolean).slice(0, 50);
    const regions: string[] = [];
    for (const r of list('region')) {
      const doc = engine.findReport(r.slice(0, 40));
      if (!doc) return apiError(c, 400, 'unknown_region', apiMessages.unknownRegion(r.slice(0, 20)));
      regions.push(doc.region);
    }
    const reports = list('report');
    if (reports.some((id) => !engine.info.documents.some((d) => d.id === id))) return apiError(c, 400, 'unknown_report', apiMessages.unknownReport);
    const kinds = list('kind');
    if (kinds.some((k) => !TARGET_KINDS.includes(k as TargetKind))) return apiError(c, 400, 'invalid_query', apiMessages.badTargetKind);
    const yearText = c.req.query('year');
    if (yearText !== undefined && yearText !== '' && !/^\d{4}$/.test(yearText)) return apiError(c, 400, 'invalid_query', apiMessages.badYear);
    const rows = filterTargets(engine.targets(), {
      regions,
      reports,
      // GDP, 就业: the words a person uses, read as the indicator they name.
      indicators: list('indicator').map((w) => engine.indicatorOf(w) ?? w),
      kinds: kinds as TargetKind[],
      ...(yearText ? { year: Number(yearText) } : {}),
      main: /^(1|true|yes)$/i.test(c.req.query('main') ?? ''),
    });
    const wantsCsv = c.req.query('format') === 'csv' || /text\/csv/.test(c.req.header('Accept') ?? '');
    if (wantsCsv) {
      return c.body(targetsCsv(rows), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="targets.csv"; filename*=UTF-8''${encodeURIComponent('目标一览.csv')}`,
        ...cacheable,
      });
    }
    return c.json({ targets: rows }, 200, cacheable);
  });

  /**
   * GET /api/targets/progress?region=&year= → {"progress": [{region, year, targetReport?, resultReport?,
   * rows: [{indicator, target?, result?, verdict?, open?, basis?}], completion: [...]}]}: did the region's
   * targets come true (targets/progress.ts), every year with one of its two reports loaded, newest first,
   * or the year asked. Without `region`, the deployment's default or only region. CSV as /api/targets.
   */
  api.use('/targets/progress', etag());
  api.get('/targets/progress', (c) => {
    const asked = (c.req.query('region') ?? '').trim();
    let region: string | undefined;
    if (asked) {
      region = engine.findReport(asked.slice(0, 40))?.region;
      if (!region) return apiError(c, 400, 'unknown_region', apiMessages.unknownRegion(asked.slice(0, 20)));
    } else {
      const regions = [...new Set(engine.info.documents.map((d) => d.region))];
      region = engine.info.defaultRegion ?? (regions.length === 1 ? regions[0] : undefined);
      if (!region) return apiError(c, 400, 'invalid_query', apiMessages.regionRequired);
    }
    const yearText = c.req.query('year');
    if (yearText !== undefined && yearText !== '' && !/^\d{4}$/.test(yearText)) return apiError(c, 400, 'invalid_query', apiMessages.badYear);
    const progress = engine.progress(region, yearText ? Number(yearText) : undefined);
    const wantsCsv = c.req.query('format') === 'csv' || /text\/csv/.test(c.req.header('Accept') ?? '');
    if (wantsCsv) {
      return c.body(progressCsv(progress), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="progress.csv"; filename*=UTF-8''${encodeURIComponent('完成情况.csv')}`,
        ...cacheable,
      });
    }
    return c.json({ region, progress }, 200, cacheable);
  });

  api.get('/paragraph/:docId/:n', (c) => {
    const n = c.req.param('n');
    const view = /^\d{1,6}$/.test(n) ? engine.paragraph(c.req.param('docId'), Number(n)) : undefined;
    if (!view) return apiError(c, 404, 'not_found', apiMessages.paragraphNotFound);
    return c.json(view, 200, cacheable);
  });

  api.get('/section/:docId', (c) => {
    const list = current().paragraphs.get(c.req.param('docId'));
    const path = c.req.query('path');
    const n = c.req.query('paragraph');
    let view;
    if (list && path !== undefined) view = sectionView(list, { path: path.slice(0, 1000) });
    else if (list && n !== undefined && /^\d{1,6}$/.test(n)) view = sectionView(list, { paragraph: Number(n) });
    if (!view) return apiError(c, 404, 'not_found', apiMessages.sectionNotFound);
    return c.json(view, 200, cacheable);
  });

  return api;
}
