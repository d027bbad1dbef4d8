import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport, splitClauses, splitSentences } from '../../src/corpus/index.ts';
import type { ReportMeta } from '../../src/corpus/index.ts';
import { REPORTS_DIR } from '../helpers/engine.ts';

const FILE = 'qingdao-shibei-2025-work-report';
const text = readFileSync(join(REPORTS_DIR, `${FILE}.txt`), 'utf8');
const meta = JSON.parse(readFileSync(join(REPORTS_DIR, `${FILE}.json`), 'utf8')) as ReportMeta;
const report = parseReport(text, meta);

describe('parseReport on the stored report', () => {
  it('drops the web disclaimer lines and keeps every report line', () => {
    expect(report.dropped).toHaveLength(2);
    expect(report.dropped[0]).toContain('免责声明');
    expect(report.paragraphs.some((p) => /本站|免责声明/.test(p.text))).toBe(false);
    expect(report.paragraphs).toHaveLength(37);
  });

  it('recognises the part heading and the six section headings', () => {
    const parts = report.paragraphs.filter((p) => p.kind === 'part-heading').map((p) => p.text);
    const sections = report.paragraphs.filter((p) => p.kind === 'section-heading').map((p) => p.text);
    expect(parts).toEqual(['二、2025年工作安排']);
    expect(sections).toHaveLength(6);
    expect(sections[4]).toBe('(五)坚持均衡普惠、和谐共进,书写民生幸福新答卷');
  });

  it('gives each body paragraph its section path and lead-sentence topic', () => {
    const p = report.paragraphs.find((x) => x.text.includes('增加普惠托位300个'))!;
    expect(p.topic).toBe('强化社会兜底保障');
    expect(p.sectionPath).toEqual([
      '二、2025年工作安排',
      '(五)坚持均衡普惠、和谐共进,书写民生幸福新答卷',
      '强化社会兜底保障',
    ]);
  });

  it('labels the excerpt before the first heading with the metadata part, and the closing address at part level', () => {
    expect(report.paragraphs[0]!.sectionPath[0]).toBe(meta.leadingPart);
    const closing = report.paragraphs[report.paragraphs.length - 1]!;
    expect(closing.text.startsWith('各位代表!利民之事')).toBe(true);
    expect(closing.sectionPath).toEqual(['二、2025年工作安排']);
  });

  it('cuts sentences whose offsets slice the stored text exactly', () => {
    expect(report.sentences.length).toBeGreaterThan(100);
    for (const s of report.sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
    for (const p of report.paragraphs) expect(text.slice(p.start, p.end)).toBe(p.text);
    const target = report.sentences.find((s) => s.text.includes('普惠托位'))!;
    expect(target.text).toBe('深入推进儿童友好城区建设,增加普惠托位300个,每千人口托位数达到4.6个。');
  });

  it('builds a section tree with topics under each section', () => {
    const five = report.sections.find((s) => s.title.startsWith('(五)'))!;
    const topics = five.paragraphs.map((i) => report.paragraphs[i]!.topic).filter(Boolean);
    expect(topics).toEqual(['强化社会兜底保障', '优化公共服务供给', '提高基层治理效能', '守牢安全稳定底线']);
  });
});

describe('sentence and clause splitting', () => {
  it('splits on 。!?; in both widths and keeps closing quotes with the sentence', () => {
    const parts = splitSentences('他说:“好。”然后走了!真的?是;对;嗯').map((s) => s.text);
    expect(parts).toEqual(['他说:“好。”', '然后走了!', '真的?', '是;', '对;', '嗯']);
  });

  it('does not end a sentence inside a short quotation (a slogan with !), but does past an unclosed quote', () => {
    expect(splitSentences('开展“你好！重庆”“向世界讲述重庆”等品牌推介，落地总部。下一句。').map((s) => s.text)).toEqual([
      '开展“你好！重庆”“向世界讲述重庆”等品牌推介，落地总部。',
      '下一句。',
    ]);
    const unclosed = `未闭合“引号。${'很长'.repeat(30)}。再来。`;
    expect(splitSentences(unclosed).map((s) => s.text)).toEqual(['未闭合“引号。', `${'很长'.repeat(30)}。`, '再来。']);
  });

  it('does not split clauses inside quotation marks', () => {
    const clauses = splitClauses('打造“一园,一楼”新矩阵,推广模式:试点').map((c) => c.text);
    expect(clauses).toEqual(['打造“一园,一楼”新矩阵,', '推广模式:', '试点']);
  });

  it('parses headings written with full-width brackets and a \\r\\n file', () => {
    const r = parseReport('一、总体情况\r\n(一)第一项\r\n推进工作。具体安排如下,详见附件。\r\n', {
      id: 't',
      title: 't',
      region: 'x区',
      year: 2025,
      kind: 'annual-work-plan',
    });
    expect(r.paragraphs.map((p) => p.kind)).toEqual(['part-heading', 'section-heading', 'body']);
    expect(r.paragraphs[2]!.topic).toBe('推进工作');
    for (const s of r.sentences) expect(r.text.slice(s.start, s.end)).toBe(s.text);
  });
});
