import { extractQuantities, normalizeText, parseChineseNumber, type Quantity } from '../corpus/normalize.ts';

/**
 * The grounding guard: generated text may only state what the passages state. Checked:
 *   figures    every figure (with its unit family) occurs in the passages, spoken forms included
 *              (百分之五点五 is 5.5%, 三百个 is 300个)
 *   quotations every span in “”, 「」 or "" is a substring of a passage
 *   citations  every [n] points to a passage given, and there is at least one
 * A refusal ("报告中未提及") passes the guard but is reported as such, so the caller can keep the
 * extractive answer.
 */
export type GuardVerdict =
  | { ok: true; declined: boolean }
  | { ok: false; reason: 'figure' | 'quote' | 'citation' | 'empty' | 'too-long'; detail: string };

export const DECLINE = '报告中未提及';
const MAX_CHARS = 400;

export function checkGrounding(generated: string, passages: string[], allowedYears: number[] = []): GuardVerdict {
  const text = generated.trim();
  if (!text) return { ok: false, reason: 'empty', detail: '' };
  if ([...text].length > MAX_CHARS) return { ok: false, reason: 'too-long', detail: String([...text].length) };
  const bare = text.replace(/[[【]\s*\d+\s*[\]】]/g, '');
  if (bare.replace(/[。.!！\s]/g, '') === DECLINE) return { ok: true, declined: true };

  const cites = [...text.matchAll(/[[【]\s*(\d+)\s*[\]】]/g)].map((m) => Number(m[1]));
  if (cites.length === 0) return { ok: false, reason: 'citation', detail: 'no [n]' };
  const bad = cites.find((n) => n < 1 || n > passages.length);
  if (bad !== undefined) return { ok: false, reason: 'citation', detail: `[${bad}] of ${passages.length}` };

  const sources = passages.map((p) => normalizeText(p));
  const sourceFigures = sources.flatMap((p) => extractQuantities(readSpokenNumbers(p)));
  for (const q of extractQuantities(readSpokenNumbers(normalizeText(bare)))) {
    if (q.ordinal) continue;
    if (q.family === 'year' && allowedYears.includes(q.value)) continue;
    if (!sourceFigures.some((s) => sameFigure(q, s))) return { ok: false, reason: 'figure', detail: q.raw };
  }

  for (const m of bare.matchAll(/[“"「『]([^”"」』]{2,})[”"」』]/g)) {
    const span = normalizeText(m[1]!);
    if (!sources.some((p) => p.includes(span))) return { ok: false, reason: 'quote', detail: m[1]! };
  }
  return { ok: true, declined: false };
}

const LOOSE = new Set(['count', 'people', 'times', 'none']);

function sameFigure(a: Quantity, b: Quantity): boolean {
  if (Math.abs(a.value - b.value) > 1e-9) return false;
  if (a.family === b.family) return true;
  // 300 alone, or 300个 against 300人次: a count is a count; money, rates, areas are not interchangeable.
  return LOOSE.has(a.family) && LOOSE.has(b.family);
}

const DIGIT: Record<string, string> = { 零: '0', 〇: '0', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

/** 百分之五点五 → 5.5%, 四点六 → 4.6, 三百 → 300: spoken forms a model may write to slip past a digit check. */
export function readSpokenNumbers(text: string): string {
  const whole = (cn: string): string => String(parseChineseNumber(cn) ?? cn);
  return text
    .replace(/([零〇一二两三四五六七八九十百千万]+)点([零〇一二两三四五六七八九]+)/g, (_, a: string, b: string) => `${whole(a)}.${[...b].map((c) => DIGIT[c] ?? c).join('')}`)
    .replace(/百分之([\d.]+|[零〇一二两三四五六七八九十百]+)/g, (_, n: string) => `${/^[\d.]+$/.test(n) ? n : whole(n)}%`);
}
