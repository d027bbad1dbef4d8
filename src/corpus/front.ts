import { ENDS_SENTENCE, foldWidth } from './text.ts';

/**
 * A report copied from a web page carries the page with it: navigation above the title (首页 > 要闻,
 * 下载 打印 全屏 收藏 【字号：加大 还原 减小】), the source and time stamps, a photo caption, and share
 * buttons or related links below the last paragraph. Above the address to the delegates only three
 * lines belong to the report: its title, the meeting line (——2026年1月27日在山东省第十四届人民代表大会
 * 第四次会议上) and the speaker (山东省省长 周乃翔). Everything else there is page chrome; below the body,
 * lines that match the chrome vocabulary (data/dict/chrome.txt) are dropped from the end.
 */
export interface FrontMatter {
  /** Line numbers (0-based) of the front-matter lines kept as paragraphs. */
  title?: number;
  meeting?: number[];
  speaker?: number;
  /** The texts, folded and joined (a meeting line may be split over two lines). */
  titleText?: string;
  meetingText?: string;
  speakerText?: string;
  /** Lines dropped as page chrome (line number → text). */
  dropped: Map<number, string>;
}

const TITLE = /政府工作报告/;
const MEETING = /人民代表大会|人代会/;
const SPEAKER = /^(?:[\p{Script=Han}]{2,12}(?:人民政府|政府)?)?(?:代理?)?(?:省长|市长|区长|县长|州长|盟长|旗长|主席|总理)\s*[\p{Script=Han}·•\s]{2,14}$/u;
const CAPTION = /作政府工作报告|记者.{0,16}摄|摄影|图为/;
const ADDRESS = /^各位代表[!:,。]?$|^各位代表[!:,]/;
const PART = /^[一二三四五六七八九十]{1,3}、/;

/** Lines of a stored text with their offsets; `\r\n` and `\n` both end a line. */
export function splitLines(text: string): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, end);
    out.push({ text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, start });
    start = end + 1;
  }
  return out;
}

/** Is this line the body of a report (a paragraph of sentences), not a heading or chrome? */
function isBodyLine(folded: string): boolean {
  if (CAPTION.test(folded) && folded.length < 160) return false;
  const sentences = folded.split(/[。!?;]/).filter((s) => s.trim()).length;
  return folded.length >= 40 && sentences >= 2 && /[,。]/.test(folded);
}

/**
 * Finds the front matter and the page chrome around the body. `chrome` holds the vocabulary of
 * navigation, share and stamp lines (whole lines, or prefixes ending in `*`).
 */
export function findFrontMatter(lines: string[], chrome: string[]): FrontMatter {
  const folded = lines.map((l) => foldWidth(l).trim());
  const dropped = new Map<number, string>();
  const front: FrontMatter = { dropped };
  const isChrome = chromeMatcher(chrome);

  // The body starts at the address to the delegates, a part heading, or the first real paragraph.
  let bodyStart = folded.findIndex((l) => ADDRESS.test(l) || (PART.test(l) && l.length <= 60) || (isBodyLine(l) && !MEETING.test(l.slice(0, 40)) && !TITLE.test(l.slice(0, 20))));
  if (bodyStart < 0) bodyStart = 0;
  for (let i = 0; i < bodyStart; i++) {
    const l = folded[i]!;
    if (!l) continue;
    if (front.title === undefined && TITLE.test(l) && l.length <= 40 && !CAPTION.test(l)) {
      front.title = i;
      front.titleText = l;
      continue;
    }
    if (front.meeting === undefined && (MEETING.test(l) || /^[—\-(]*\s*(?:(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})年.{1,8}日在/.test(l)) && l.length <= 80 && !CAPTION.test(l)) {
      const parts = [i];
      let text = l;
      // ——2026年1月26日在广东省第十四届 / 人民代表大会第五次会议上
      if (!/会议上?\)?|大会上\)?/.test(l) && i + 1 < bodyStart && /会议/.test(folded[i + 1]!)) {
        parts.push(i + 1);
        text += folded[i + 1]!;
      }
      front.meeting = parts;
      front.meetingText = text;
      continue;
    }
    if (front.meeting?.includes(i)) continue;
    if (
      front.speaker === undefined &&
      (front.title !== undefined || front.meeting !== undefined) &&
      !CAPTION.test(l) &&
      (SPEAKER.test(l) || (/^[\p{Script=Han}·•]{2,4}$/u.test(l) && !isChrome(l) && front.meeting?.includes(i - 1)))
    ) {
      front.speaker = i;
      front.speakerText = l.replace(/\s+/g, ' ');
      continue;
    }
    dropped.set(i, lines[i]!.trim());
  }
  // A meeting line that also names the speaker (…第四次会议上 陕西省省长 赵刚).
  if (front.speakerText === undefined && front.meetingText) {
    const m = /会议上\)?\s+(\S.*)$/.exec(front.meetingText);
    if (m && SPEAKER.test(m[1]!.trim())) front.speakerText = m[1]!.trim();
  }

  // Below the body: share buttons, related links, close-window marks.
  for (let i = folded.length - 1; i > bodyStart; i--) {
    const l = folded[i]!;
    if (!l) continue;
    if (isChrome(l) || /^[\s\p{P}\p{S}]+$/u.test(l)) {
      dropped.set(i, lines[i]!.trim());
      continue;
    }
    break;
  }
  // Anywhere: stamp and chrome lines that the vocabulary names exactly (来源：…, 责任编辑：…).
  for (let i = bodyStart; i < folded.length; i++) {
    const l = folded[i]!;
    if (l && !dropped.has(i) && l.length <= 40 && !ENDS_SENTENCE.test(l) && isChrome(l)) dropped.set(i, lines[i]!.trim());
  }
  return front;
}

function chromeMatcher(vocabulary: string[]): (line: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const v of vocabulary) {
    const f = foldWidth(v.trim());
    if (!f) continue;
    if (f.endsWith('*')) prefixes.push(f.slice(0, -1));
    else exact.add(f);
  }
  return (line) => {
    const l = line.replace(/\s+/g, '');
    if (exact.has(l)) return true;
    if (prefixes.some((p) => l.startsWith(p))) return true;
    // Date-time stamps (2026-02-03 09:02:33) and bare breadcrumbs (>).
    return /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\d{1,2}:\d{2}(?::\d{2})?)?$/.test(l) || /^[>›»|]+$/.test(l);
  };
}
