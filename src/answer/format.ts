import type { Citation } from './types.ts';

/** Where a quote stands: 市北区2025年政府工作报告 › 二、2025年工作安排 › (五)… › 强化社会兜底保障. */
export function citationLocation(c: Pick<Citation, 'doc' | 'section'>): string {
  return c.section ? `${c.doc} › ${c.section}` : c.doc;
}
