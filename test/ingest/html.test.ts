import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { gbEncoder } from '../helpers/gbk.ts';
import { describe, expect, it } from 'vitest';
import { sentenceAgreement } from '../../src/ingest/agreement.ts';
import { extractHtml } from '../../src/ingest/html.ts';
import { IngestError, type Extracted } from '../../src/ingest/types.ts';
import { paragraphsOf } from '../helpers/documents.ts';

/**
 * Report pages the way government sites serve them and browsers save them: a head with scripts and
 * styles, a site header with a menu, a breadcrumb, a share bar, the article (title, info line,
 * indented paragraphs), 上一篇/下一篇, related links, a footer with 版权所有/ICP备, and inline scripts.
 * The text is three of the provincial reports, each laid out differently (one <p> a paragraph; one
 * <div> of <br>-separated lines; the text split over nested blocks), and one page in GBK.
 *
 * The reference is the fixture's report text: the lines its own web page brought along that are not
 * the report (贵州's photo credit on the first line, 云南's breadcrumb/info/font-size lines above the
 * subtitle and its share/related lines below the last paragraph) are left out of the reference and
 * put into the page as the chrome they are.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures/provinces-2026');
const fixture = (province: string): string[] =>
  paragraphsOf(readFileSync(join(FIXTURES, `2026_${province}_政府工作报告.txt`), 'utf8'));

/** The fixture's lines from the first that starts with `from` to the last that starts with `to`. */
function between(lines: string[], from: string, to?: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(from));
  let end = lines.length - 1;
  if (to) while (end >= 0 && !lines[end]!.startsWith(to)) end--;
  if (start < 0 || end < start) throw new Error(`no lines ${from}…${to}`);
  return lines.slice(start, end + 1);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Texts of page chrome that must never reach a paragraph (none occurs in the three reports). */
const CHROME_MARKERS = [
  '省长信箱',
  '网上调查',
  '版权所有',
  'ICP备',
  '公网安备',
  '联系我们',
  '网站地图',
  '网站标识码',
  '分享到',
  '上一篇',
  '下一篇',
  '相关链接',
  '当前位置',
  '您的位置',
  '发布时间',
  '来源：',
  '【字号',
  'shareConfig',
  '_hmt',
  'Provincial',
  '请输入关键词',
  '春耕备耕',
  '调研督导',
  'font-size',
];

function menu(province: string): string[] {
  return [
    '首页',
    '要闻动态',
    '政务公开',
    '政策文件',
    '政务服务',
    '互动交流',
    '数据发布',
    '新闻发布会',
    '专题专栏',
    `走进${province.slice(0, 2)}`,
    '省长信箱',
    '网上调查',
  ];
}

interface PageParts {
  province: string;
  site: string;
  /** <title> */
  title: string;
  /** The article's heading, with its own markup. */
  heading: string;
  /** The article's text, with its own markup. */
  content: string;
  /** <meta> declaring the charset. */
  meta: string;
  /** Site header, menu and footer as <header>/<nav>/<footer> (else as <div>s). */
  semantic: boolean;
}

function page(p: PageParts): string {
  const nav = menu(p.province)
    .map((m, i) => `<li${i === 1 ? ' class="on"' : ''}><a href="/${i}/" target="_blank">${m}</a></li>`)
    .join('\n          ');
  const [hOpen, hClose] = p.semantic ? ['<header class="header">', '</header>'] : ['<div id="header" class="head">', '</div>'];
  const [nOpen, nClose] = p.semantic ? ['<nav class="menu">', '</nav>'] : ['<div class="nav">', '</div>'];
  const [fOpen, fClose] = p.semantic ? ['<footer class="footer">', '</footer>'] : ['<div id="footer" class="foot">', '</div>'];
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  ${p.meta}
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="SiteName" content="${p.site}">
  <meta name="ArticleTitle" content="${esc(p.title)}">
  <title>${esc(p.title)}_${p.site}</title>
  <link rel="stylesheet" href="/css/common.css">
  <style>
    body { font-family: "Microsoft YaHei"; } .article p { text-indent: 2em; line-height: 2; }
    .nav li { float: left; } /* 导航菜单样式 */
  </style>
  <script src="/js/jquery.min.js"></script>
  <script>
    var _hmt = _hmt || [];
    (function () { var hm = document.createElement("script"); hm.src = "https://hm.baidu.com/hm.js?abc"; })();
  </script>
</head>
<body>
  <!--[if lt IE 9]><p class="browsehappy">您的浏览器版本过低，请升级浏览器</p><![endif]-->
  ${hOpen}
    <div class="top-bar"><span>${p.site}</span> <a href="/wza/">无障碍</a> | <a href="/zzlb/">长者模式</a> | <a href="/en/">English</a></div>
    <div class="logo"><a href="/"><img src="/images/logo.png" alt="${p.site}"></a><span>${p.province}人民政府</span><span class="en">${p.province === '贵州省' ? 'Guizhou' : 'The'} Provincial People's Government</span></div>
    <form class="search" action="/search/"><input type="text" placeholder="请输入关键词"><button type="submit">搜索</button></form>
    ${nOpen}
      <ul>
          ${nav}
      </ul>
    ${nClose}
  ${hClose}
  <div class="container">
    <div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/ywdt/">要闻动态</a> &gt; 正文</div>
    <div class="article">
      ${p.heading}
      <div class="info">
        <span>来源：${p.site}</span>&nbsp;&nbsp;<span>发布时间：2026-01-28 10:30</span>
        <span class="font">【字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</span>
        <span class="print"><a href="javascript:window.print()">【打印】</a></span>
      </div>
      <div class="share">分享到：<a class="wx" href="#">微信</a><a class="wb" href="#">微博</a><a class="qq" href="#">QQ空间</a></div>
      ${p.content}
      <script>
        var shareConfig = { title: "${esc(p.title)}", desc: "${p.site}" };
        document.write('<span class="count">阅读量：12345</span>');
      </script>
      <div class="prev-next">
        <p>上一篇：<a href="/ywdt/1.html">全省春耕备耕工作现场推进会召开</a></p>
        <p>下一篇：<a href="/ywdt/2.html">省领导赴基层调研督导安全生产工作</a></p>
      </div>
    </div>
    <div class="related">
      <h3>相关链接</h3>
      <ul>
        <li><a href="/zt/1/">全国两会专题</a></li>
        <li><a href="/zt/2/">${p.province}两会专题报道（图文）</a></li>
        <li><a href="/zt/3/">图解：一图读懂政府工作报告</a></li>
        <li><a href="/zt/4/">视频：省长作政府工作报告</a></li>
      </ul>
    </div>
  </div>
  ${fOpen}
    <div class="links"><a href="/lxwm/">联系我们</a> | <a href="/wzdt/">网站地图</a> | <a href="/sm/">网站声明</a></div>
    <p>主办单位：${p.province}人民政府办公厅&nbsp;&nbsp;版权所有：${p.province}人民政府</p>
    <p>网站标识码：5200000001&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/">黔ICP备05000000号-1</a>&nbsp;&nbsp;贵公网安备 52010202000000号</p>
  ${fClose}
  <script>
    $(function () { $(".nav li").hover(function () { $(this).addClass("hover"); }); });
  </script>
</body>
</html>
`;
}

const indent = (i: number): string => (i % 2 === 0 ? '&nbsp;&nbsp;&nbsp;&nbsp;' : '\u3000\u3000');

/** 贵州: every paragraph a <p style="text-indent:2em"> in one block, semantic header/nav/footer, UTF-8. */
function guizhouPage(): { html: string; reference: string[] } {
  const lines = fixture('贵州省');
  const caption = lines[0]!; // 政府工作报告。 贵州日报天眼新闻记者 李森 摄
  const reference = lines.slice(1);
  const content = `<div class="TRS_Editor">
        <div style="text-align:center"><img src="./W0202601.jpg"></div>
        <p style="text-align:center">${esc(caption)}</p>
${reference.map((l, i) => `        <p style="text-indent:2em">${indent(i)}${esc(l)}</p>`).join('\n')}
      </div>`;
  const html = page({
    province: '贵州省',
    site: '贵州省人民政府网',
    title: '2026年贵州省政府工作报告',
    heading: '<h1 class="title">2026年贵州省政府工作报告</h1>',
    content,
    meta: '<meta charset="utf-8">',
    semantic: true,
  });
  return { html, reference };
}

/** 广东: the whole text one <div> of <br>-separated, U+3000-indented lines; chrome in plain <div>s; no <h1>. */
function guangdongPage(): { html: string; reference: string[] } {
  const reference = fixture('广东省');
  const content = `<div id="zoom" class="article-content" style="font-size:16px">
${reference.map((l) => `\u3000\u3000${esc(l)}<br>`).join('\n')}
      </div>`;
  const html = page({
    province: '广东省',
    site: '广东省人民政府门户网站',
    title: '2026年广东省政府工作报告',
    heading: '<div class="article-title">2026年广东省政府工作报告</div>',
    content,
    meta: '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
    semantic: false,
  });
  return { html, reference };
}

/** 云南: the text split over nested blocks of different depth, `&nbsp;` indents, the page's own chrome. */
function yunnanPage(meta = '<meta charset="utf-8">'): { html: string; reference: string[] } {
  const lines = fixture('云南省');
  const reference = between(lines, '——2026年1月28日', '各位代表！实干兴滇');
  const third = Math.ceil(reference.length / 3);
  const chunk = (from: number, to: number): string =>
    reference
      .slice(from, to)
      .map((l) => `<p>&nbsp;&nbsp;&nbsp;&nbsp;${esc(l)}</p>`)
      .join('\n');
  const content = `<div class="view TRS_UEDITOR trs_paper_default">
        <div class="page" id="page1"><div class="inner">${chunk(0, third)}</div></div>
        <div class="page" id="page2"><section><div class="inner"><div>${chunk(third, 2 * third)}</div></div></section></div>
        <div class="page" id="page3">${chunk(2 * third, reference.length)}</div>
        <p style="text-align:center"><a href="/zt/lh2026/">》》点击图片进入专题《《</a></p>
        <div class="tools"><a href="#">收藏</a> | <span>分享到:</span> <a href="#">分享到微信</a> <a href="#">×</a></div>
        <div class="xgwd">相关文档：</div>
      </div>`;
  const html = page({
    province: '云南省',
    site: '云南省人民政府',
    title: '2026年政府工作报告',
    heading: '<h1>2026年政府工作报告</h1>',
    content,
    meta,
    semantic: false,
  });
  return { html, reference };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** GBK bytes of a string (test/helpers/gbk.ts). */
const gbkEncoder = gbEncoder;

function expectNoChrome(result: Extracted, province: string): void {
  const text = result.paragraphs.join('\n');
  for (const marker of CHROME_MARKERS) expect(text, marker).not.toContain(marker);
  const items = new Set(menu(province));
  for (const p of result.paragraphs) {
    expect(items.has(p), p).toBe(false);
    expect(p).toBe(p.trim());
    expect(p).not.toMatch(/^[\u00a0\u3000]|[\u00a0\u3000]$/);
  }
  const kinds = new Map(result.dropped.map((d) => [d.kind, d.count]));
  // The 12-item menu, the breadcrumb, 上一篇/下一篇 and the related links at least.
  expect(kinds.get('navigation') ?? 0).toBeGreaterThanOrEqual(12);
  expect(kinds.get('footer') ?? 0).toBeGreaterThanOrEqual(2);
  expect(kinds.get('script') ?? 0).toBeGreaterThanOrEqual(3);
}

describe('extractHtml', () => {
  it('the chrome markers are not report text', () => {
    for (const { reference } of [guizhouPage(), guangdongPage(), yunnanPage()]) {
      const text = reference.join('\n');
      for (const marker of CHROME_MARKERS) expect(text, marker).not.toContain(marker);
    }
  });

  it('贵州: <p> paragraphs with &nbsp;/U+3000 indents, semantic chrome', () => {
    const { html, reference } = guizhouPage();
    const result = extractHtml(utf8(html));
    const agreement = sentenceAgreement(reference, result.paragraphs);
    console.log('贵州 agreement', agreement.matched, '/', agreement.reference, agreement.ratio.toFixed(4), agreement.missing);
    expect(agreement.ratio).toBeGreaterThanOrEqual(0.98);
    expect(result.format).toBe('html');
    expect(result.title).toBe('2026年贵州省政府工作报告');
    // The page's own paragraphs, character for character, after the title; the photo credit dropped.
    expect(result.paragraphs).toEqual(['2026年贵州省政府工作报告', ...reference]);
    expect(result.dropped.find((d) => d.kind === 'caption')?.count).toBe(1);
    expectNoChrome(result, '贵州省');
  });

  it('广东: one <div> of <br>-separated lines, chrome in plain <div>s, title from <title>', () => {
    const { html, reference } = guangdongPage();
    const result = extractHtml(utf8(html));
    const agreement = sentenceAgreement(reference, result.paragraphs);
    console.log('广东 agreement', agreement.matched, '/', agreement.reference, agreement.ratio.toFixed(4), agreement.missing);
    expect(agreement.ratio).toBeGreaterThanOrEqual(0.98);
    expect(result.title).toBe('2026年广东省政府工作报告');
    expect(result.paragraphs[0]).toBe('2026年广东省政府工作报告');
    expect(result.paragraphs.slice(1)).toEqual(reference);
    expectNoChrome(result, '广东省');
  });

  it('云南: text split over nested blocks, the page’s own chrome around it', () => {
    const { html, reference } = yunnanPage();
    const result = extractHtml(utf8(html));
    const agreement = sentenceAgreement(reference, result.paragraphs);
    console.log('云南 agreement', agreement.matched, '/', agreement.reference, agreement.ratio.toFixed(4), agreement.missing);
    expect(agreement.ratio).toBeGreaterThanOrEqual(0.98);
    expect(result.title).toBe('2026年政府工作报告');
    expect(result.paragraphs).toEqual(['2026年政府工作报告', ...reference]);
    // The document's own characters: the ideographic space inside a line stays.
    expect(result.paragraphs).toContain('省长\u3000王予波');
    expectNoChrome(result, '云南省');
  });

  it('a report whose first part the template nests deeply: Readability keeps one block, the density fallback both', () => {
    const lines = fixture('贵州省');
    const reference = lines.slice(1);
    const split = reference.findIndex((l) => l.startsWith('二、'));
    expect(split).toBeGreaterThan(10);
    const ps = (ls: string[]): string => ls.map((l) => `<p>\u3000\u3000${esc(l)}</p>`).join('\n');
    // Text pasted from Word: the review (part one) deep inside <div class="WordSection1"> wrappers.
    const content = `<div class="WordSection1">${'<div>'.repeat(7)}${ps(reference.slice(0, split))}${'</div>'.repeat(7)}</div>
      <div class="TRS_Editor">${ps(reference.slice(split))}</div>`;
    const html = page({
      province: '贵州省',
      site: '贵州省人民政府网',
      title: '2026年贵州省政府工作报告',
      heading: '<h1>2026年贵州省政府工作报告</h1>',
      content,
      meta: '<meta charset="utf-8">',
      semantic: true,
    });
    // Readability alone misses a third of the report…
    const { document } = parseHTML(html);
    const article = new Readability(document, { charThreshold: 200 }).parse();
    const alone = sentenceAgreement(reference, paragraphsOf(article?.textContent ?? '')).ratio;
    expect(alone).toBeLessThan(0.8);
    // …the densest block, widened to its substantial siblings, has all of it.
    const result = extractHtml(utf8(html));
    const agreement = sentenceAgreement(reference, result.paragraphs);
    console.log('贵州 nested agreement', agreement.ratio.toFixed(4), 'Readability alone', alone.toFixed(4));
    expect(agreement.ratio).toBeGreaterThanOrEqual(0.98);
    expect(result.paragraphs).toEqual(['2026年贵州省政府工作报告', ...reference]);
    expectNoChrome(result, '贵州省');
  });

  it('a logo <h1> is not the title; a page saved "HTML only" with its text in a hidden block', () => {
    const { html } = guizhouPage();
    const page2 = html
      .replace('<h1 class="title">2026年贵州省政府工作报告</h1>', '<div class="title">2026年贵州省政府工作报告</div>')
      .replace('<div class="top-bar">', '<h1 class="logo">贵州省人民政府</h1><div class="top-bar">')
      .replace('<header class="header">', '<div class="header">')
      .replace('</header>', '</div>')
      .replace('<div class="TRS_Editor">', '<div class="TRS_Editor" style="display: none">');
    const result = extractHtml(utf8(page2));
    expect(result.title).toBe('2026年贵州省政府工作报告');
    expect(sentenceAgreement(guizhouPage().reference, result.paragraphs).ratio).toBeGreaterThanOrEqual(0.98);
  });

  it('a GBK page declared gb2312 decodes', () => {
    const { html, reference } = yunnanPage('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">');
    const bytes = gbkEncoder()(html);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const result = extractHtml(bytes);
    const agreement = sentenceAgreement(reference, result.paragraphs);
    console.log('云南 GBK agreement', agreement.ratio.toFixed(4));
    expect(agreement.ratio).toBeGreaterThanOrEqual(0.98);
    expect(result.title).toBe('2026年政府工作报告');
    expectNoChrome(result, '云南省');
  });

  it('a GBK page with no charset declared decodes (not UTF-8 → GB18030)', () => {
    const { html, reference } = guizhouPage();
    const bytes = gbkEncoder()(html.replace('<meta charset="utf-8">', ''));
    const result = extractHtml(bytes);
    expect(sentenceAgreement(reference, result.paragraphs).ratio).toBeGreaterThanOrEqual(0.98);
  });

  it('a page saved with a BOM and CRLF line ends', () => {
    const { html, reference } = guizhouPage();
    const bytes = utf8(`\ufeff${html.replace(/\n/g, '\r\n')}`);
    const result = extractHtml(bytes);
    expect(result.paragraphs).toEqual(['2026年贵州省政府工作报告', ...reference]);
  });

  it('a site’s home page (navigation and short news titles) has no report', () => {
    const news = Array.from(
      { length: 40 },
      (_, i) =>
        `<li><a href="/ywdt/${i}.html" title="新闻">省政府召开第${i + 1}次常务会议研究部署经济运行和安全生产等工作</a><span>2026-01-${String((i % 28) + 1).padStart(2, '0')}</span></li>`,
    ).join('\n');
    const html = page({
      province: '贵州省',
      site: '贵州省人民政府网',
      title: '首页',
      heading: '',
      content: `<div class="news"><h2>要闻动态</h2><ul>${news}</ul></div>
        <div class="notice"><h2>通知公告</h2><p>关于做好春节期间安全生产工作的通知</p><p>关于公布第三批省级重点项目名单的公告</p></div>
        <div class="service"><h2>政务服务</h2><p>个人办事</p><p>法人办事</p><p>部门服务</p><p>主题服务</p></div>`,
      meta: '<meta charset="utf-8">',
      semantic: true,
    });
    const error = catchError(() => extractHtml(utf8(html)));
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).reason).toBe('no-report');
    expect((error as IngestError).userMessage).toBe(
      '这个网页里没有找到报告正文。请在浏览器中打开报告全文页面后另存为网页,或发送报告的 DOCX/PDF 文件。',
    );
  });

  it('a short article (a news item about the report) is not a report', () => {
    const content = `<div class="TRS_Editor"><p>1月27日上午，贵州省第十四届人民代表大会第四次会议在贵阳开幕。省长李炳军作政府工作报告。</p></div>`;
    const html = page({ province: '贵州省', site: '贵州省人民政府网', title: '省十四届人大四次会议开幕', heading: '<h1>省十四届人大四次会议开幕</h1>', content, meta: '<meta charset="utf-8">', semantic: true });
    expect((catchError(() => extractHtml(utf8(html))) as IngestError).reason).toBe('no-report');
  });

  it('random bytes, binary files and broken markup throw only IngestError', () => {
    let seed = 20260127;
    const random = (n: number): Uint8Array => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        out[i] = seed >>> 24;
      }
      return out;
    };
    const pdfLike = utf8('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nstream\n');
    const inputs: Uint8Array[] = [
      random(100_000),
      random(7),
      Uint8Array.from([...pdfLike, ...random(5000)]),
      Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...random(5000)]),
      // random bytes that happen to be valid GB18030 pairs only: Chinese-looking noise, no markup
      Uint8Array.from(random(20_000), (b, i) => (i % 2 === 0 ? 0xb0 + (b % 0x40) : 0xa1 + (b % 0x5e))),
      utf8('<html><body><div><p>各位代表'),
      utf8('<<<>>></></p></div><!-- <![CDATA[ ]]> -->'),
      utf8(`<html><body>${'<div>'.repeat(20_000)}各位代表${'</div>'.repeat(20_000)}</body></html>`),
    ];
    for (const bytes of inputs) {
      const error = catchError(() => extractHtml(bytes));
      expect(error).toBeInstanceOf(IngestError);
      expect(['corrupt', 'no-report']).toContain((error as IngestError).reason);
    }
  });

  it('an empty file', () => {
    expect((catchError(() => extractHtml(new Uint8Array(0))) as IngestError).reason).toBe('empty');
    expect((catchError(() => extractHtml(utf8(' \n\t '))) as IngestError).reason).toBe('empty');
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
