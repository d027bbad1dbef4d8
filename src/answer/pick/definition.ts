import { normalizeText } from '../../corpus/normalize.ts';
import type { Query } from '../analyze.ts';
import { compose, type Draft } from '../compose.ts';
import type { Ranked } from '../rank.ts';

/**
 * What a named term of the report stands for: reports coin short names (“六保”, “两新一重”, “1234”发展思路,
 * “红色三馆”) and spell them out once, inline (“六保”,即保居民就业、保基本民生…; “两新一重”建设,主要是:…) or
 * in the notes at the end (〔16〕“红色三馆”:毛主席视察纪念馆,…). A question asking what such a term means
 * or which items it holds is answered with what follows the term's own definition marker, verbatim.
 * Without a sentence that defines the term, the usual pickers answer.
 */
export function pickDefinition(q: Query, ranked: Ranked[]): Draft | undefined {
  if (!q.asksDefinition) return undefined;
  const asked = normalizeText(q.text).toLowerCase();
  for (const r of ranked.slice(0, CANDIDATES)) {
    const v = r.view;
    const text = v.report.text.slice(v.sentence.start, v.sentence.end);
    for (const m of text.matchAll(QUOTED)) {
      const term = normalizeText(m[1]!).toLowerCase();
      if (!namesTerm(q, asked, term)) continue;
      const after = text.slice((m.index ?? 0) + m[0].length);
      const marker = DEFINES.exec(after);
      if (!marker) continue;
      const start = v.sentence.start + (m.index ?? 0) + m[0].length + marker[0].length;
      const body = v.report.text.slice(start, v.sentence.end);
      // A definition spells something out: a list, or at least a clause of its own.
      if ([...body.replace(/[。；;!！]+$/, '')].length < 4) continue;
      return compose({ ...q, yesNo: false }, r, { view: v, spans: [{ start, end: v.sentence.end }], quote: { start: v.sentence.start, end: v.sentence.end } }, ranked);
    }
  }
  return undefined;
}

const CANDIDATES = 20;

/** A term in quotation marks, as reports write their coined names. */
const QUOTED = /[“"‘]([^”"’]{1,16})[”"’]/g;

/**
 * What opens a definition right after the term: a colon (the notes' form), 即 / 是指 / 主要是 / 包括 …,
 * after at most a short word the term names (建设, 目标, 工程) and a comma.
 */
const DEFINES = /^\p{Script=Han}{0,4}?(?:(?:[，,]\s*)?(?:即|指的是|是指|就是|主要是|主要包括|包括|分别是|分别指|具体是|具体包括)[:：]?|[:：])/u;

/** The question names the term itself (or a sound-alike the analysis corrected: 红色三管 → 红色三馆). */
function namesTerm(q: Query, asked: string, term: string): boolean {
  if ([...term].length < 2) return false;
  if (asked.includes(term)) return true;
  // One character typed by its sound (红色三管 for 红色三馆), in a term of four or more.
  const t = [...term];
  const a = [...asked];
  if (t.length >= 4) {
    for (let i = 0; i + t.length <= a.length; i++) {
      let differ = 0;
      for (let j = 0; j < t.length && differ <= 1; j++) if (a[i + j] !== t[j]) differ++;
      if (differ <= 1) return true;
    }
  }
  return q.concepts.some((c) => c.forms.some((f) => f === term || ([...f].length >= 3 && term.includes(f) && [...f].length >= [...term].length - 1)));
}
