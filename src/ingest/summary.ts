import type { Added, LibraryEntry } from './library.ts';
import type { Dropped } from './types.ts';

/** How the person who added a report is told what was read from it: plain lines, channel-neutral. */

const DROPPED_LABEL: Record<string, string> = {
  'page-number': '页码',
  'running-header': '页眉',
  'running-footer': '页脚',
  navigation: '网页导航',
  script: '脚本',
  footer: '网页页脚',
  empty: '空段落',
  code: '代码块',
  html: 'HTML 片段',
};

const FROM_LABEL: Record<string, string> = {
  'meeting line': '会议行',
  title: '标题',
  'title completed with region and year': '标题(补全)',
  'region and year': '地区和年份',
  speaker: '报告人',
  'speaker line': '报告人',
  'file name': '文件名',
  'text (short name)': '正文',
  text: '正文',
  headings: '各部分标题',
  given: '手动指定',
};

const FORMAT_LABEL: Record<string, string> = { docx: 'Word 文档', pdf: 'PDF', html: '网页', txt: '文本', md: 'Markdown' };

export function describeDropped(dropped: readonly Dropped[]): string {
  return dropped.map((d) => `${DROPPED_LABEL[d.kind] ?? d.kind} ${d.count} 处`).join(',');
}

/** Where the region and year were read from, or that they were not found. */
function provenance(from: Record<string, string>, key: string): string {
  const f = from[key];
  if (!f) return '';
  if (f.startsWith('missing')) return '(未识别,请用 --region/--year 指定)';
  return `(据${FROM_LABEL[f] ?? f})`;
}

/**
 * The lines that tell what adding a document did: title and id, where it came from, region and year
 * and how they were found, the parts with their time labels, what was dropped, and the outline.
 */
export function describeAdded(a: Added, options: { outline?: number } = {}): string[] {
  const lines = [
    `${a.replaced ? '已更新' : '已添加'}:${a.title}(编号 ${a.id})`,
    ...(a.replaced && a.replaced.id !== a.id ? [`  替换了:${a.replaced.title}(编号 ${a.replaced.id})`] : []),
    `  格式:${FORMAT_LABEL[a.format] ?? a.format}${a.pages ? `,${a.pages} 页` : ''};用时 ${a.ms} ms`,
    `  地区:${a.region}${provenance(a.detectedFrom, 'region')};年份:${a.year}${provenance(a.detectedFrom, 'year')}`,
    `  段落:${a.paragraphs} 段`,
    `  各部分:${a.periods.length ? a.periods.map((p) => `${p.label} ${p.paragraphs} 段`).join(';') : '未识别出分部分标题'}`,
  ];
  if (a.dropped.length) lines.push(`  已去除:${describeDropped(a.dropped)}`);
  // outline: 0 leaves the outline out (a chat message with room for a few lines only).
  const limit = options.outline ?? Infinity;
  if (a.outline.length && limit > 0) {
    lines.push('  提纲:');
    for (const h of a.outline.slice(0, limit)) lines.push(`    ${h}`);
    if (a.outline.length > limit) lines.push(`    ……(共 ${a.outline.length} 条)`);
  }
  return lines;
}

export function describeEntry(e: LibraryEntry): string {
  const from = e.original ? `,来自 ${e.original.name}` : '';
  return `${e.id}  ${e.title}(${e.region},${e.year} 年,${e.paragraphs} 段${from})`;
}
