import { normalizeText } from '../corpus/normalize.ts';
import { PERIOD_LABEL } from '../corpus/periods.ts';
import type { Span } from '../corpus/types.ts';
import type { Query } from './analyze.ts';
import type { Pick } from './clauses.ts';
import { messages } from './messages.ts';
import { REFUSALS, truthful, type RefusalContext, type RefusalRuleName } from './refusals.ts';
import type { Evidence } from './evidence.ts';
import type { Ranked } from './rank.ts';
import { CITATION_MIN_COVERAGE } from './tuning.ts';
import type { Citation, Intent, RefusalReason } from './types.ts';
import { conceptShare, type SentenceView } from './views.ts';

/**
 * Composition: the answer text from verbatim spans, the yes/no prefix, the figures to highlight, and
 * the citations. Text only: what to say was decided by the picker.
 */

/** What a picker returns: an answer cut from the reports, or a refusal, with what to cite. */
export interface Draft {
  found: boolean;
  intent: Intent;
  answer: string;
  highlights: string[];
  /** Verbatim spans to cite first, in order, then related passages. */
  primary: Array<{ view: SentenceView; quote: Span; score: number }>;
  related: Ranked[];
  reason?: RefusalReason;
  /** The refusal rule that declined (refusals.ts), when `found` is false, and what its message was made from. */
  rule?: RefusalRuleName;
  refusal?: RefusalContext;
  /** The answer is the closest passage, not a certain answer (see CLOSEST). */
  closest?: boolean;
  /** What the best passage offered, for a refusal (see evidence.ts). */
  evidence?: Evidence;
}

/** A refusal by a named rule of the table: its reason and its message, with the passages to show beside it. */
export function refuse(rule: RefusalRuleName, ctx: RefusalContext, related: Ranked[] = []): Draft {
  const r = REFUSALS[rule];
  return { found: false, intent: ctx.q.intent, answer: r.message(ctx), highlights: [], primary: [], related, reason: r.reason, rule, refusal: ctx };
}

/** The same refusal, its message made true of what the reports searched write (see `truthful`). */
export function checkedRefusal(draft: Draft, writes: (term: string | string[]) => boolean): Draft {
  if (draft.found || !draft.rule || !draft.refusal?.topic) return draft;
  const ctx = truthful(draft.refusal, writes);
  return { ...draft, answer: REFUSALS[draft.rule].message(ctx), refusal: ctx };
}

/** Builds the answer text from a pick (adjacent spans stay joined as in the source). */
export function compose(q: Query, chosen: Ranked, pick: Pick, ranked: Ranked[]): Draft {
  const answer = joinSpans(pick.view.report.text, pick.spans);
  const highlights = figuresIn(pick).filter((h) => answer.includes(h));
  return {
    found: true,
    intent: q.intent,
    answer: q.yesNo && !q.asksEnumeration ? yesNoPrefix(q, pick, answer) + answer : answer,
    highlights,
    primary: [{ view: pick.view, quote: pick.quote, score: chosen.score }],
    related: ranked.filter((r) => r !== chosen),
  };
}

export function joinSpans(text: string, spans: Span[]): string {
  const parts: string[] = [];
  let cur: Span | undefined;
  for (const s of spans) {
    if (cur && /^[\s,，:：;；、]*$/.test(text.slice(cur.end, s.start))) cur = { start: cur.start, end: s.end };
    else {
      if (cur) parts.push(text.slice(cur.start, cur.end));
      cur = { ...s };
    }
  }
  if (cur) parts.push(text.slice(cur.start, cur.end));
  // Join in the text's own style: full-width commas where it writes them.
  const full = /，/.test(text.slice(spans[0]?.start ?? 0, spans.at(-1)?.end ?? 0));
  const answer = parts.map((p) => p.replace(/[,，:：;；、]$/, '')).join(full ? '，' : ',');
  return /[。!?！？]$/.test(answer) ? answer : `${answer}。`;
}

/** Figures as written in the source, for emphasis. */
function figuresIn(pick: Pick): string[] {
  const out: string[] = [];
  for (const c of pick.view.clauses) {
    if (!pick.spans.some((s) => s.start <= c.start && c.end <= s.end)) continue;
    for (const f of c.figures) out.push(c.text.slice(f.start, f.end));
  }
  return [...new Set(out)];
}

/** 是不是两万多? → 是的 when the figure in the question agrees with the report, else the report's figure. */
const LEVEL = /国家级|全国|省级|市级|区级/;

function yesNoPrefix(q: Query, pick: Pick, answer: string): string {
  // 争创国家级步行街吗 where the report says 省级: say what the report says instead.
  const askedLevel = LEVEL.exec(q.text)?.[0];
  const statedLevel = LEVEL.exec(answer)?.[0];
  if (askedLevel && statedLevel && askedLevel !== statedLevel) return messages.reportSays;
  if (q.quantities.length === 0) {
    // 是的 only when the clause states what was asked; 够吗 / 好不好 are judgements the report does not make.
    if (/够|足够|多不多|高不高|好不好|行不行|合理|满意/.test(q.text)) return '';
    return conceptShare(q, normalizeText(answer).toLowerCase()) >= 0.7 ? messages.yes : '';
  }
  const figures = pick.view.clauses
    .filter((c) => pick.spans.some((s) => s.start <= c.start && c.end <= s.end))
    .flatMap((c) => c.figures);
  const agrees = q.quantities.every((asked) =>
    figures.some((f) => {
      if (asked.qualifier === '多' || asked.qualifier === '余' || asked.qualifier === '以上') {
        const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, asked.value)));
        return f.value >= asked.value && f.value < asked.value + magnitude;
      }
      return Math.abs(f.value - asked.value) < 1e-9;
    }),
  );
  return agrees ? messages.yes : messages.figureDiffers;
}

/**
 * When the question names no time and the answer comes from a look-back or the five-year targets,
 * the answer says so: 〔2025年工作回顾〕城镇新增就业124.9万人。
 */
export function labelPeriod(draft: Draft, q: Query): Draft {
  const first = draft.primary[0]?.view;
  if (!draft.found || !first || q.time.kind !== 'none') return draft;
  const p = first.period;
  if (p === 'current' || p === 'annex' || p === 'front') return draft;
  const year = first.report.meta.year;
  const label = p === 'last-year' ? `${year - 1}年工作回顾` : PERIOD_LABEL[p];
  return { ...draft, answer: messages.periodLabel(label) + draft.answer };
}

export function citationsOf(draft: Draft, max: number): Citation[] {
  const out: Citation[] = [];
  const paragraphs = new Set<string>();
  const push = (view: SentenceView, quote: Span, score: number): void => {
    const key = `${view.report.meta.id}#${view.paragraph.index}`;
    if (out.length >= max || paragraphs.has(key)) return;
    paragraphs.add(key);
    out.push(citation(view, quote, score));
  };
  for (const p of draft.primary) push(p.view, p.quote, p.score);
  const floor = (draft.primary[0]?.score ?? draft.related[0]?.score ?? 0) * 0.5;
  const limit = draft.found ? max : Math.min(max, 2);
  for (const r of draft.related) {
    if (out.length >= limit || r.score < floor) break;
    // A passage that shares little with the question is noise next to an answer.
    if (draft.found && r.coverage < CITATION_MIN_COVERAGE) continue;
    push(r.view, { start: r.view.sentence.start, end: r.view.sentence.end }, r.score);
  }
  return out;
}

function citation(view: SentenceView, quote: Span, score: number): Citation {
  const report = view.report;
  const p = report.paragraphs[view.paragraph.index]!;
  // Only surrounding white space may be trimmed from a quote.
  let s = quote.start;
  let e = quote.end;
  while (s < e && /\s/.test(report.text[s]!)) s++;
  while (e > s && /\s/.test(report.text[e - 1]!)) e--;
  return {
    doc: report.meta.title,
    section: p.sectionPath.join(' › '),
    quote: report.text.slice(s, e),
    score: Math.round(Math.min(1, Math.max(0, score)) * 100) / 100,
    docId: report.meta.id,
    paragraph: p.index,
    start: s,
    end: e,
    context: { text: p.text, start: s - p.start, end: e - p.start },
  };
}
