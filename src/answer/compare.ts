import type { Lexicon } from '../corpus/lexicon.ts';
import { foldWidth } from '../corpus/text.ts';
import type { Report } from '../corpus/types.ts';
import { KIND_LABEL, type TargetKind } from '../targets/extract.ts';
import { comparable, rankValue, type TargetView } from '../targets/table.ts';
import type { Query } from './analyze.ts';
import type { Deployment, Scope } from './scope.ts';
import { timeOf } from './time.ts';
import type { Answer, Citation } from './types.ts';

/**
 * Questions over the targets table rather than one passage: a figure across every loaded region
 * (各省今年GDP增长目标), the highest or lowest (哪个省的GDP目标最高), and this year against last year
 * for one region (托位今年比去年多多少). Each row of the answer is a verbatim span with its sentence
 * cited; a region whose report states no figure says so; a difference is computed only between like
 * figures (same indicator, unit and kind) and is labelled as computed.
 */

const ALL_REGIONS = /各(?:省|市|区|县|地|自治区|省份|地区|城市|盟|州)|全国各|所有(?:省|地区|城市|报告)|每个(?:省|地区|城市)|各个(?:省|地区|城市)/;
const AGAINST_LAST_YEAR = /(?:比|较|同)(?:去年|上年|上一年)/;
const CHANGE = /多(?:了)?多少|少(?:了)?多少|增加(?:了)?多少|减少(?:了)?多少|提高(?:了)?多少|差多少|相差|变化|多了|少了|增减/;
const LOWEST = /最(?:低|少|小|慢)/;
/** Rows listed in one answer at most (a province-wide deployment has about 30 regions). */
const MAX_ROWS = 40;

export interface CompareDeps {
  deployment: Deployment;
  reports: readonly Report[];
  targets: () => readonly TargetView[];
  lexicon: Pick<Lexicon, 'indicators'>;
}

/** The indicator a question asks about, by the longest wording or question word it contains. */
export function askedIndicator(text: string, lexicon: Pick<Lexicon, 'indicators'>): string | undefined {
  const folded = foldWidth(text).toLowerCase();
  let best: { name: string; length: number } | undefined;
  for (const i of lexicon.indicators) {
    for (const w of [...i.wordings, ...i.asked]) {
      const f = foldWidth(w).toLowerCase();
      if (f.length >= 2 && folded.includes(f) && (!best || f.length > best.length)) best = { name: i.name, length: f.length };
    }
  }
  return best?.name;
}

/** 各省 / 哪个市 / 各区县: the level of region a comparison is over; undefined for 各地, 哪里. */
function levelAsked(text: string): 'province' | 'city' | 'county' | undefined {
  if (/(?:各|哪个|哪些|每个|所有|全国各)(?:省|自治区|省份)/.test(text)) return 'province';
  if (/(?:各|哪个|哪些|每个|所有)(?:市|城市|地市|州|盟)/.test(text)) return 'city';
  if (/(?:各|哪个|哪些|每个|所有)(?:区|县|区县|县区|县市区)/.test(text)) return 'county';
  return undefined;
}

/** Which kind of figure the question's time asks for, read by time.ts against the newest report. */
function askedKind(text: string, newestYear: number): TargetKind {
  const t = timeOf(text);
  switch (t.kind) {
    case 'five-year-review':
      return 'five-year-result';
    case 'five-year-plan':
      return 'five-year-target';
    case 'plan':
      // 十四五 (2021–2025) is reviewed by a 2026 report, 十五五 (2026–2030) planned.
      return 2021 + ((t.plan ?? 15) - 14) * 5 + 4 < newestYear ? 'five-year-result' : 'five-year-target';
    case 'last-year':
      return AGAINST_LAST_YEAR.test(text) ? 'target' : 'result';
    case 'year':
      return t.year !== undefined && t.year < newestYear ? 'result' : 'target';
    default:
      return 'target';
  }
}

/** The row a report gives for an indicator and kind: from the main targets first, else the first stated. */
function rowOf(rows: readonly TargetView[], report: string, indicator: string, kind: TargetKind): TargetView | undefined {
  const own = rows.filter((r) => r.report === report && r.indicator === indicator && r.kind === kind);
  return own.find((r) => r.main) ?? own[0];
}

export function compareTargets(q: Query, scope: Scope, deps: CompareDeps): Answer | undefined {
  const indicator = askedIndicator(q.text, deps.lexicon);
  if (!indicator || deps.reports.length < 2) return undefined;
  const regions = [...new Set(deps.reports.map((r) => r.meta.region))];
  const newestOf = (region: string): Report | undefined =>
    deps.reports.filter((r) => r.meta.region === region).sort((a, b) => b.meta.year - a.meta.year)[0];
  const newestYear = Math.max(...deps.reports.map((r) => r.meta.year));
  const kind = askedKind(q.text, newestYear);

  // This year against last year, in one region.
  if (AGAINST_LAST_YEAR.test(q.text) && CHANGE.test(q.text) && scope.regions.length <= 1) {
    const region = scope.regions[0] ?? deps.deployment.defaultRegion ?? (regions.length === 1 ? regions[0] : undefined);
    return region ? againstLastYear(q, region, indicator, deps) : undefined;
  }
  const every = ALL_REGIONS.test(q.text) && regions.length >= 2;
  const ranking = q.superlative && (scope.regions.length >= 2 || (scope.regions.length === 0 && regions.length >= 2 && !deps.deployment.defaultRegion) || every);
  if (!every && !ranking) return undefined;
  const level = levelAsked(q.text);
  const among = scope.regions.length >= 2 ? scope.regions : regions.filter((r) => !level || deps.deployment.gazetteer.get(r)?.level === level);
  if (among.length < 2) return undefined;
  const all = deps.targets();
  const stated: TargetView[] = [];
  const silent: string[] = [];
  for (const region of among) {
    const report = newestOf(region);
    const row = report ? rowOf(all, report.meta.id, indicator, kind) : undefined;
    if (row) stated.push(row);
    else silent.push(region);
  }
  if (!stated.length) return undefined;
  const like = comparable(stated);
  const sorted = [...like].sort((a, b) => rankValue(b) - rankValue(a));
  const unlike = stated.filter((r) => !like.includes(r));
  const what = `${KIND_LABEL[kind]}·${indicator}`;
  const lines: string[] = [];
  if (ranking) {
    const low = LOWEST.test(q.text);
    const edge = rankValue(low ? sorted[sorted.length - 1]! : sorted[0]!);
    const top = sorted.filter((r) => rankValue(r) === edge);
    const word = low ? '最低' : '最高';
    lines.push(
      top.length === 1
        ? `${among.length}个地区中,${what}${word}的是${top[0]!.region}:${top[0]!.span}。`
        : `${among.length}个地区中,${what}并列${word}的是${top.map((r) => r.region).join('、')}:${top[0]!.text}。`,
    );
    if (sorted.some((r) => r.qualifier === 'range' || r.qualifier === '以上' || r.qualifier === '左右')) lines.push('(区间按中值比较;“以上”“左右”按所写数值比较。)');
  } else {
    lines.push(`${among.length}个地区的${what}(按数值从高到低):`);
  }
  for (const r of sorted.slice(0, MAX_ROWS)) lines.push(`${r.region}:${r.span}`);
  for (const r of unlike.slice(0, MAX_ROWS)) lines.push(`${r.region}:${r.span}(口径不同,未参与比较)`);
  if (silent.length) lines.push(`${silent.join('、')}的报告没有这一指标的${kind === 'target' ? '量化目标' : '数字'}。`);
  const cited = [...sorted, ...unlike].slice(0, MAX_ROWS);
  return answerOf(q, lines.join('\n'), cited, deps.reports);
}

function againstLastYear(q: Query, region: string, indicator: string, deps: CompareDeps): Answer | undefined {
  const reports = deps.reports.filter((r) => r.meta.region === region).sort((a, b) => b.meta.year - a.meta.year);
  const [current, previous] = reports;
  if (!current) return undefined;
  const all = deps.targets();
  const now = rowOf(all, current.meta.id, indicator, 'target');
  if (!now) return undefined;
  // Last year's own report loaded: its target is the like figure.
  const before = previous && previous.meta.year === current.meta.year - 1 ? rowOf(all, previous.meta.id, indicator, 'target') : undefined;
  if (before) {
    const lines = [`${current.meta.year}年:${now.span}`, `${previous!.meta.year}年:${before.span}`];
    const same = foldWidth(now.unit) === foldWidth(before.unit) && now.growth === before.growth && now.high === undefined && before.high === undefined;
    if (same) {
      const diff = Math.round((now.value - before.value) * 1e6) / 1e6;
      const unit = now.unit === '%' ? '个百分点' : now.unit;
      lines.push(diff === 0 ? '两年的数字相同。' : `按两份报告的数字计算,${diff > 0 ? '多' : '少'}${Math.abs(diff)}${unit}。`);
    } else {
      lines.push('两年的数字口径不同,不作相减。');
    }
    return answerOf(q, lines.join('\n'), [now, before], deps.reports);
  }
  // Only this year's report: its target and last year's result are different kinds, said side by side.
  const result = rowOf(all, current.meta.id, indicator, 'result');
  if (!result) return undefined;
  return answerOf(
    q,
    [`今年目标:${now.span}`, `去年完成:${result.span}`, '一个是今年的目标,一个是去年的完成数,口径不同,不作相减。'].join('\n'),
    [now, result],
    deps.reports,
  );
}

function answerOf(q: Query, text: string, rows: readonly TargetView[], reports: readonly Report[]): Answer {
  const citations: Citation[] = [];
  for (const r of rows) {
    const report = reports.find((x) => x.meta.id === r.report);
    const paragraph = report?.paragraphs[r.paragraph];
    const sentence = paragraph?.sentences.find((s) => s.text === r.quote);
    if (!report || !paragraph || !sentence) continue;
    citations.push({
      doc: report.meta.title,
      section: r.section,
      quote: r.quote,
      score: 1,
      docId: report.meta.id,
      paragraph: r.paragraph,
      start: sentence.start,
      end: sentence.end,
      context: { text: paragraph.text, start: sentence.start - paragraph.start, end: sentence.end - paragraph.start },
    });
  }
  return {
    question: q.raw,
    found: true,
    answer: text,
    citations,
    latencyMs: 0,
    intent: 'list',
    highlights: [...new Set(rows.map((r) => r.text))],
  };
}
