import type { Period, Report } from '../../corpus/types.ts';
import { readTable } from '../cues.ts';
import type { SearchIndex } from '../../search/store.ts';
import type { Query } from '../analyze.ts';
import { factPick } from '../clauses.ts';
import { compose, joinSpans, type Draft } from '../compose.ts';
import type { Ranked } from '../rank.ts';
import type { Scope } from '../scope.ts';
import { SPAN_BUDGET, SUMMARY } from '../tuning.ts';
import type { SentenceView, SentenceViews } from '../views.ts';

/**
 * Broad asks of the genre (data/dict/broad.txt): the problems a report admits, its main targets, the
 * overall requirements, what the past years achieved. Asked without a subject of their own, they are
 * answered from the part every report writes for them, found by its wording, not by the words of the
 * question (报告里讲的问题 would otherwise land on any sentence that says 问题).
 */
export interface BroadAsk {
  name: string;
  answer: 'paragraph' | 'list' | 'sections';
  part: 'review' | 'plan' | 'five-year-plan';
  ask: RegExp;
  passage?: RegExp;
}

export const BROAD_FILE = 'broad.txt';

export function loadBroadAsks(dictDir: string): BroadAsk[] {
  return readTable(dictDir, BROAD_FILE, (cells, fail) => {
    const [name = '', answer = '', part = '', ask = '', passage = ''] = cells;
    if (!['paragraph', 'list', 'sections'].includes(answer) || !['review', 'plan', 'five-year-plan'].includes(part) || !ask) fail('expected name, answer, part, ask, passage separated by tabs');
    return { name, answer: answer as BroadAsk['answer'], part: part as BroadAsk['part'], ask: new RegExp(ask, 'g'), ...(passage ? { passage: new RegExp(passage) } : {}) };
  });
}

/** Words around a broad ask that say nothing of their own (报告里讲的, 都有哪些, 列几条). */
const FILLER = /报告|文件|里面?|中|上|讲|说|提到?|写|谈|列|的|了|着|过|都|还|仍|也|有|哪些|哪几|什么|啥|是|呢|吗|吧|呀|啊|些|政府|工作|发展|经济社会|经济|社会|全[省市区县国]|我[省市区县国]|本[省市区县]|主要|这些|那些|一下|给我|几条|几点|简单|简要|说说|讲讲|概括|总结|存在|面临|目前|当前|现在|自己|承认|分别|各|多少|为|和|与|及|、|今年|去年|过去|五年|这几年|十[一二三四五六七八九]五|时期|期间|定了|定的|提出|确定|明确|要求|方面|重点|具体|内容|都是|了哪些|情况/g;

/** The broad ask a question is, if it is one: the ask and nothing but filler besides. */
export function broadAskOf(q: Query, asks: BroadAsk[]): BroadAsk | undefined {
  if (q.english) return undefined;
  const text = q.places.rest.replace(/[\s?？!！,，。.、:：;；“”"']/g, '');
  for (const a of asks) {
    const matched = text.match(a.ask);
    if (!matched) continue;
    const rest = text.replace(a.ask, '').replace(FILLER, '');
    if ([...rest.replace(/[\p{P}\s\d]/gu, '')].length <= 1) return a;
  }
  return undefined;
}

const PARTS: Record<BroadAsk['part'], Period[]> = {
  review: ['last-year', 'five-year-review'],
  plan: ['current'],
  'five-year-plan': ['five-year-plan'],
};

/** The answer to a broad ask from the first report in scope, or undefined when its part says nothing of the kind. */
export function pickBroad(q: Query, ask: BroadAsk, scope: Scope, index: SearchIndex, views: SentenceViews): Draft | undefined {
  for (const r of scope.reports) {
    const report = index.reports[r]!;
    // A time that names a part (去年, 十四五) picks it; the report's own year (2019年) leaves the ask's part.
    const asked = /last-year|five-year|plan/.test(q.time.kind) || (q.time.kind === 'year' && q.time.year !== report.meta.year) ? scope.periods?.get(r) : undefined;
    const parts = asked?.length ? asked : q.time.kind === 'five-year-plan' ? PARTS['five-year-plan'] : PARTS[ask.part];
    const draft = ask.answer === 'sections' ? sectionsOf(q, report, r, parts, index, views) : passageOf(q, ask, report, r, parts, index, views);
    if (draft) return draft;
  }
  return undefined;
}

function passageOf(q: Query, ask: BroadAsk, report: Report, r: number, parts: Period[], index: SearchIndex, views: SentenceViews): Draft | undefined {
  // The part's sentences that say it (还存在不少问题, 主要预期目标是:), nearest a paragraph's opening first.
  const hits = report.sentences.filter((s) => {
    const p = report.paragraphs[s.paragraph]!;
    return p.kind === 'body' && parts.includes(p.period) && ask.passage!.test(s.text);
  });
  if (!hits.length) return undefined;
  const opening = (s: (typeof hits)[number]): number => report.paragraphs[s.paragraph]!.sentences.findIndex((x) => x.index === s.index);
  const chosen = [...hits].sort((a, b) => Math.min(opening(a), 2) - Math.min(opening(b), 2) || rest(b) - rest(a))[0]!;
  function rest(s: (typeof hits)[number]): number {
    const p = report.paragraphs[s.paragraph]!;
    return p.end - s.end;
  }
  const v = views.get(index.unitOf(r, chosen.index));
  const ranked: Ranked = { view: v, candidate: { unit: v.unit, score: 1 } as Ranked['candidate'], coverage: 1, fit: 1, period: 1, score: 1 };
  if (ask.answer === 'list') {
    const colon = v.clauses.findIndex((c) => /[:：]$/.test(c.text));
    const pick = factPick(colon >= 0 ? { ...q, intent: 'list' } : q, v, views, SPAN_BUDGET.leadIn);
    return { ...compose({ ...q, yesNo: false }, ranked, pick, []), intent: q.intent };
  }
  return paragraphFrom(v, views, ranked);
}

/** The sentence and what the rest of its paragraph leads with, within the summary budget. */
function paragraphFrom(v: SentenceView, views: SentenceViews, best: Ranked): Draft {
  const p = v.paragraph;
  const spans = [{ start: v.sentence.start, end: v.sentence.end }];
  let used = v.sentence.text.length;
  let last = v;
  for (const s of p.sentences.filter((x) => x.index > v.sentence.index)) {
    const sv = views.sibling(v, s.index);
    if (!sv || used >= SUMMARY.budget) break;
    let inSentence = 0;
    for (const c of sv.clauses) {
      if (inSentence > 0 && inSentence + c.text.length > SUMMARY.clauseCap) break;
      spans.push({ start: c.start, end: c.end });
      inSentence += c.text.length;
    }
    used += inSentence;
    last = sv;
  }
  return {
    found: true,
    intent: 'summary',
    answer: joinSpans(v.report.text, spans),
    highlights: [],
    primary: [{ view: v, quote: { start: v.sentence.start, end: last.sentence.end }, score: best.score }],
    related: [],
  };
}

/** What the part holds: its sections' headings (一、…成就 → (一)经济实力实现新跨越;…), or its paragraphs' topics. */
function sectionsOf(q: Query, report: Report, r: number, parts: Period[], index: SearchIndex, views: SentenceViews): Draft | undefined {
  for (const period of parts) {
    const sections = report.sections.filter((s) => s.level === 2 && s.period === period);
    const titles = sections.length >= 2 ? sections.map((s) => s.title) : report.paragraphs.filter((p) => p.period === period && p.kind === 'body' && p.topic).map((p) => p.topic!);
    if (titles.length < 2) continue;
    const first = sections[0] ? report.paragraphs[sections[0].heading]! : report.paragraphs.find((p) => p.period === period && p.topic)!;
    const v = views.get(index.unitOf(r, first.sentences[0]!.index));
    const shown = titles.slice(0, 8).map((t) => t.replace(/[。.;；]$/, ''));
    return {
      found: true,
      intent: q.intent,
      answer: `${shown.join(';')}。`,
      highlights: [],
      primary: [{ view: v, quote: { start: v.sentence.start, end: v.sentence.end }, score: 1 }],
      related: [],
    };
  }
  return undefined;
}
