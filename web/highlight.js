// @ts-check
/**
 * Pure text helpers for the page: where to put <mark> elements. No DOM here, so the same functions
 * run in the browser and in the unit tests (test/server/highlight.test.ts).
 *
 * @typedef {{ text: string, mark: boolean }} Segment
 */

const DIGIT = /[0-9０-９.]/;

/**
 * Splits `text` into plain and marked segments: every occurrence of any needle is marked, the longest
 * needle wins where several start at the same place, and marks never overlap. A figure is not marked
 * inside a longer number ("300个" is not marked in "1300个").
 *
 * @param {string} text
 * @param {readonly string[]} needles
 * @returns {Segment[]}
 */
export function markSegments(text, needles) {
  const list = [...new Set(needles.filter((n) => typeof n === 'string' && n.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  /** @type {Segment[]} */
  const out = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const hit = list.find((n) => text.startsWith(n, i) && !insideNumber(text, i, i + n.length, n));
    if (hit) {
      if (plain) out.push({ text: plain, mark: false });
      plain = '';
      out.push({ text: hit, mark: true });
      i += hit.length;
    } else {
      plain += text[i];
      i += 1;
    }
  }
  if (plain) out.push({ text: plain, mark: false });
  return out;
}

/**
 * @param {string} text
 * @param {number} start
 * @param {number} end
 * @param {string} needle
 */
function insideNumber(text, start, end, needle) {
  const before = start > 0 ? text[start - 1] : '';
  const after = end < text.length ? text[end] : '';
  const startsWithDigit = DIGIT.test(needle[0] ?? '');
  const endsWithDigit = DIGIT.test(needle[needle.length - 1] ?? '');
  return (startsWithDigit && DIGIT.test(before ?? '')) || (endsWithDigit && DIGIT.test(after ?? ''));
}

/**
 * The part of `text` before, inside and after [start, end), with the offsets clamped to the text.
 *
 * @param {string} text
 * @param {number} start
 * @param {number} end
 * @returns {{ before: string, inside: string, after: string }}
 */
export function spanSegments(text, start, end) {
  const s = Math.max(0, Math.min(text.length, Number.isFinite(start) ? Math.floor(start) : 0));
  const e = Math.max(s, Math.min(text.length, Number.isFinite(end) ? Math.floor(end) : s));
  return { before: text.slice(0, s), inside: text.slice(s, e), after: text.slice(e) };
}

/**
 * A section path ("二、2025年工作安排 › (五)… › 强化社会兜底保障") as breadcrumb parts, led by the
 * document title.
 *
 * @param {string} doc
 * @param {string} section
 * @returns {string[]}
 */
export function breadcrumb(doc, section) {
  const parts = section
    .split('›')
    .map((s) => s.trim())
    .filter(Boolean);
  return doc ? [doc, ...parts] : parts;
}
