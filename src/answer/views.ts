import { extractQuantities, normalizeText, type Quantity } from '../corpus/normalize.ts';
import { splitClauses } from '../corpus/parse.ts';
import type { Paragraph, Period, Report, Sentence, Span } from '../corpus/types.ts';
import type { SearchIndex } from '../search/store.ts';
import type { Concept, Query } from './analyze.ts';

/**
 * Views of indexed sentences for the answer stage: the sentence, its paragraph, its clauses with the
 * figures they state, and normalised text for matching a question's concepts. Every span is an offset
 * range in the stored report, so what is quoted is verbatim.
 */

export interface ClauseView extends Span {
  text: string;
  norm: string;
  /** Figures that count something (years and ordinals excluded); offsets relative to `text`. */
  figures: Quantity[];
  /** 第五, 首艘: for 第几 questions. */
  ordinals: Quantity[];
}

export interface SentenceView {
  unit: number;
  report: Report;
  /** Position of `report` in the index. */
  reportIndex: number;
  sentence: Sentence;
  paragraph: Paragraph;
  norm: string;
  paragraphNorm: string;
  /** The headings above the paragraph and the sentence's block topic, normalised. */
  contextNorm: string;
  /** The period the paragraph speaks of (this year's plan, last year's results …). */
  period: Period;
  clauses: ClauseView[];
}

/** Lazily built, cached views of indexed sentences (clauses, figures, normalised text). */
export class SentenceViews {
  private readonly cache = new Map<number, SentenceView>();
  private readonly subjects = new WeakMap<ClauseView, string[]>();
  /** `tag` segments with parts of speech (the engine's tokenizer), to read a clause's own subject. */
  constructor(
    readonly index: SearchIndex,
    private readonly tag: (text: string) => Array<{ word: string; tag: string }> = () => [],
  ) {}

  /**
   * The nouns a clause names before its first figure (城镇调查失业率 in 城镇调查失业率控制在5%以内): the
   * subject the figure is about, when the clause names one. Times and generic words are left out.
   */
  subjectNouns(c: ClauseView): string[] {
    let out = this.subjects.get(c);
    if (out) return out;
    const first = c.figures[0]?.start ?? c.text.length;
    out = this.tag(c.text.slice(0, first))
      .filter((t) => /^(?:n|nz|ns|nt|nr|nrt|j|eng)$/.test(t.tag) && [...t.word].length >= 2 && !GENERIC_SUBJECTS.has(t.word))
      .map((t) => normalizeText(t.word).toLowerCase());
    this.subjects.set(c, out);
    return out;
  }

  get(unit: number): SentenceView {
    let v = this.cache.get(unit);
    if (v) return v;
    const u = this.index.units[unit]!;
    const report = this.index.reports[u.report]!;
    const sentence = report.sentences[u.sentence]!;
    const paragraph = report.paragraphs[u.paragraph]!;
    const clauses = splitClauses(sentence.text).map((c) => {
      const norm = normalizeText(c.text).toLowerCase();
      const all = extractQuantities(c.text);
      return {
        start: sentence.start + c.start,
        end: sentence.start + c.end,
        text: c.text,
        norm,
        figures: all.filter((q) => !q.ordinal && q.family !== 'year'),
        ordinals: all.filter((q) => q.ordinal),
      };
    });
    v = {
      unit,
      report,
      reportIndex: u.report,
      sentence,
      paragraph,
      norm: this.index.unitText[unit]!,
      paragraphNorm: this.index.paragraphText[this.index.paragraphOf(u.report, u.paragraph)]!,
      contextNorm: normalizeText(`${paragraph.sectionPath.join(' ')} ${sentence.topic ?? ''}`).toLowerCase(),
      period: paragraph.period,
      clauses,
    };
    if (this.cache.size > 20_000) this.cache.clear();
    this.cache.set(unit, v);
    return v;
  }

  /** The view of another sentence of the same report (by its index in the report). */
  sibling(v: SentenceView, sentence: number): SentenceView | undefined {
    if (sentence < 0 || sentence >= v.report.sentences.length) return undefined;
    return this.get(this.index.unitOf(v.reportIndex, sentence));
  }
}

/** Nouns of a figure clause that name no subject of their own (力争全年目标…, 规模达到…). */
const GENERIC_SUBJECTS = new Set(['力争', '确保', '争取', '达到', '突破', '实现', '完成', '累计', '预计', '超过', '年底', '年末', '目标', '任务', '规模', '总量', '水平', '数量', '总数', '比重', '全年', '年均', '年内', '当年', '同比', '力度', '总额', '金额', '面积', '人数', '人次']);

/**
 * How strongly a text carries a concept: its own wording 1, another wording (synonym, typo fix,
 * translation) 0.8, the pieces of a compound the report never writes whole in proportion.
 */
export function strength(c: Concept, norm: string): number {
  if (norm.includes(c.forms[0]!)) return 1;
  for (let i = 1; i < c.forms.length; i++) if (norm.includes(c.forms[i]!)) return 0.8;
  if (c.parts.length) {
    // All the pieces of a compound (体育 + 场馆) stand for it; one piece alone (人口 of 常住人口) hardly does.
    const found = c.parts.filter((p) => norm.includes(p)).length;
    // Pieces that leave part of the word unexplained (人口 of 常住人口) only hint at it.
    const whole = c.parts.reduce((n, p) => n + p.length, 0) >= c.text.length;
    const share = found === c.parts.length && whole ? 0.6 : c.known ? 0 : (0.2 * found) / c.parts.length;
    if (share > 0) return share;
  }
  if (c.stem && norm.includes(c.stem)) return 0.6;
  if (gapped(c, norm)) return 0.6;
  return 0;
}

/**
 * A wording written with a qualifier or an enumeration comma inside it: 既有住宅 in 既有多层住宅, 省市 in
 * 省、市, 城镇就业 in 城镇新增就业. Each half must be there first (a cheap test), then the two close together.
 */
function gapped(c: Concept, norm: string): boolean {
  let patterns = GAPPED.get(c);
  if (!patterns) {
    patterns = c.forms.flatMap((f) => {
      const chars = [...f];
      if (chars.length < 2 || chars.length > 8 || !/^\p{Script=Han}+$/u.test(f)) return [];
      const mid = Math.floor(chars.length / 2);
      const head = chars.slice(0, mid).join('');
      const tail = chars.slice(mid).join('');
      // Two single characters (省、市, 中、小学) only with the comma between; longer halves with up to two characters.
      const gap = chars.length < 4 ? '、' : '(?:、|\\p{Script=Han}{1,2})';
      return [{ head, tail, re: new RegExp(`${head}${gap}${tail}`, 'u') }];
    });
    GAPPED.set(c, patterns);
  }
  return patterns.some((p) => norm.includes(p.head) && norm.includes(p.tail) && p.re.test(norm));
}

const GAPPED = new WeakMap<Concept, Array<{ head: string; tail: string; re: RegExp }>>();

export function matches(c: Concept, norm: string): boolean {
  return strength(c, norm) > 0;
}

/** Share of the question's concept weight that a text carries (a heading, a topic, the clauses picked). */
export function conceptShare(q: Query, norm: string): number {
  let total = 0;
  let got = 0;
  for (const c of q.concepts) {
    total += c.weight;
    got += c.weight * strength(c, norm);
  }
  return total > 0 ? got / total : 0;
}

/** Share of the question's concepts (by weight) found in the sentence, its paragraph or its headings. */
export function coverage(q: Query, v: SentenceView): number {
  let total = 0;
  let got = 0;
  for (const c of q.concepts) {
    total += c.weight;
    got += c.weight * Math.max(strength(c, v.norm), 0.6 * strength(c, v.paragraphNorm), 0.5 * strength(c, v.contextNorm));
  }
  return total > 0 ? got / total : 0;
}

/** Concept weight carried by one clause; the focus (the thing counted) counts double. */
export function clauseScore(q: Query, clause: ClauseView): number {
  let s = 0;
  for (const c of q.concepts) s += c.weight * strength(c, clause.norm) * (c.focus ? 2 : 1);
  return s;
}
