import type { Query } from '../analyze.ts';
import type { Pick } from '../clauses.ts';
import type { Span } from '../../corpus/types.ts';

/**
 * A passage that announces a set and spells it out after itself: 要注重把握好以下关系。一要…二要…;
 * 构建“医车电数游”五大优势产业集群。一是生命健康产业。…二是汽车产业。…; 改造提升两大传统产业，持续放大
 * “清苑熏香”…. A question asking what the set holds is answered with the items, not with the sentence
 * that only counts them: the rest of the announcing sentence, and the first clause of each sentence of
 * the paragraph that opens with an ordinal (一是, 二要, 第三, （四）).
 */
export function withAnnouncedItems(q: Query, pick: Pick): Pick {
  if (!ASKS_WHAT.test(q.text) || pick.spans.length === 0) return pick;
  const v = pick.view;
  const text = v.report.text;
  const said = pick.spans.map((s) => text.slice(s.start, s.end)).join('');
  if (!ANNOUNCES.test(said)) return pick;
  const last = pick.spans[pick.spans.length - 1]!;
  const sentenceEnd = v.sentence.end;
  const rest = text.slice(last.end, sentenceEnd).replace(/^[，,。；;：:\s]+/, '');
  // The items follow in the paragraph's next sentences, each opening with its ordinal.
  const later = v.paragraph.sentences.filter((s) => s.start >= sentenceEnd);
  const items: Span[] = [];
  for (const s of later) {
    const body = text.slice(s.start, s.end);
    if (!ORDINAL.test(body)) continue;
    const cut = body.search(/[，,；;：:]/);
    const end = cut > 0 && cut < 60 ? s.start + cut : s.start + body.replace(/[。；;!！\s]+$/, '').length;
    items.push({ start: s.start, end });
    if (items.length >= 10) break;
  }
  if (items.length >= 2) {
    return { view: v, spans: [{ start: pick.spans[0]!.start, end: sentenceEnd }, ...items], quote: { start: v.sentence.start, end: later.find((s) => s.start >= items[items.length - 1]!.start)!.end } };
  }
  // …or in the rest of the announcing sentence.
  if ([...rest].length >= 4 && /[”」、]|[，,]/.test(text.slice(last.end, sentenceEnd))) {
    return { ...pick, spans: [{ start: pick.spans[0]!.start, end: sentenceEnd }] };
  }
  return pick;
}

/** Asks what a set holds (是什么, 有哪些, 哪几个, 指什么, 列出来). */
const ASKS_WHAT = /是什么|是啥|有哪些|有啥|是哪|哪几|哪些|指什么|指的是|指啥|包括|列出|列一下|都有|分别/;
/** Counts a set or points to what follows: 五大优势产业, 两大传统产业, 四张名片, 以下关系, 如下. */
const ANNOUNCES = /(?:[两二三四五六七八九十]|[2-9]|1\d)(?:大|张|个|项|条|种|类|件)[\p{Script=Han}“”"]{1,10}$|(?:[两二三四五六七八九十]|[2-9])(?:大|张)[\p{Script=Han}]{1,8}|以下|如下|下列/u;
/** A sentence that opens an item: 一是 / 二要 / 第三 / 首先 / （四） / 5. */
const ORDINAL = /^(?:[一二三四五六七八九十]+(?:是|要|抓|在|强化|着力)|第[一二三四五六七八九十]+[，,、是]|首先|其次|再次|最后|[（(][一二三四五六七八九十]+[）)]|\d+[.、．])/;
