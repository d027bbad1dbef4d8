import { extractQuantities } from '../corpus/normalize.ts';
import { foldWidth } from '../corpus/text.ts';
import type { Report } from '../corpus/types.ts';
import { splitClauses } from '../corpus/parse.ts';
import { messages } from './messages.ts';
import { planName } from './scope.ts';

/**
 * Example questions for a report, read from what it covers: this year's headline targets (the
 * indicators of its 主要预期目标), last year's results, the five-year review and targets, this year's
 * work. Every example is one the report answers; none is written for one report by hand.
 */
export function examplesFor(report: Report, options: { place?: string } = {}): string[] {
  const place = options.place ?? '';
  const periods = new Set(report.paragraphs.map((p) => p.period));
  const indicators = targetIndicators(report);
  const out: string[] = [];
  const [first, second] = indicators;
  if (first) out.push(messages.examples.target(place, first));
  if (second) out.push(messages.examples.target(place, second));
  // Last year's figure of that indicator, when the review states one (an excerpt may not).
  const lastYear = indicators.find((name) =>
    report.sentences.some((s) => report.paragraphs[s.paragraph]!.period === 'last-year' && s.text.includes(name) && extractQuantities(s.text).some((q) => !q.ordinal && q.family !== 'year')),
  );
  if (lastYear) out.push(messages.examples.lastYear(place, lastYear));
  if (periods.has('five-year-plan')) out.push(messages.examples.fivePlan(place, planName(report.meta.year)));
  if (periods.has('five-year-review')) out.push(messages.examples.fiveReview(place, planName(report.meta.year - 1)));
  out.push(messages.examples.work(place));
  return [...new Set(out)].slice(0, 5);
}

/** The indicators this year's targets name, in order (地区生产总值, 城镇新增就业, …). */
function targetIndicators(report: Report): string[] {
  const out: string[] = [];
  const targets = report.sentences.filter((s) => {
    const p = report.paragraphs[s.paragraph]!;
    return p.period === 'current' && /预期目标|主要目标/.test(`${s.topic ?? ''}${s.text}`);
  });
  for (const s of targets.slice(0, 6)) {
    for (const c of splitClauses(s.text)) {
      const text = foldWidth(c.text).replace(/^.*?[:：]/, '');
      const figure = extractQuantities(text).find((q) => !q.ordinal && q.family !== 'year');
      if (!figure) continue;
      // The words before the figure, without the verb of change: 地区生产总值增长5%左右 → 地区生产总值.
      const name = text
        .slice(0, figure.start)
        .replace(/(?:增长|增速|下降|降低|提高|控制在|保持在|达到|达|为|在|涨幅|左右)+$/, '')
        .replace(/^(?:全[省市区县]|今年|其中|力争|确保)/, '')
        .trim();
      if (/^\p{Script=Han}{2,12}$/u.test(name) && !out.includes(name)) out.push(name);
    }
    if (out.length >= 3) break;
  }
  return out;
}
