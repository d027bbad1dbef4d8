import { extractQuantities, familyOf, normalizeQuestion, valueKey, type Quantity, type UnitFamily } from '../corpus/normalize.ts';
import type { Lexicon } from '../corpus/lexicon.ts';
import type { Region } from '../corpus/regions.ts';
import { bigrams, type Tokenizer } from '../search/tokenizer.ts';
import type { WeightedTerm } from '../search/bm25.ts';
import type { Vocabulary } from './vocabulary.ts';
import { unwrap, type Cues, type EntityKind } from './cues.ts';
import { broadAskOf, type BroadAsk } from './pick/broad.ts';
import type { Intent } from './types.ts';
import { placesOf, type PlaceAsked } from './place.ts';
import { timeOf, withoutTime, type TimeAsked } from './time.ts';

/**
 * Question understanding: what is asked (intent, the kind of figure wanted), about what (concepts, each
 * with the report's wordings for it), when (this year, last year, the next plan period) and where (this
 * district or another place). Pure: it reads only the question and the lexicon/vocabulary it is given.
 */

export const MAX_QUESTION_LENGTH = 500;

export interface Concept {
  /** The question's own wording (or the English phrase). */
  text: string;
  /** Forms to look for in the report: the word first, then synonyms, typo corrections, translations. */
  forms: string[];
  /** For a compound the report never writes whole (体育场馆): the report words it is made of. */
  parts: string[];
  /** A verb with a prefix (新开工, 再提升): the bare verb (开工), which still says most of it. */
  stem?: string;
  /** Importance: inverse document frequency in the index, lowered for absent non-nouns. */
  weight: number;
  /** Names a thing (noun-like part of speech), as opposed to an action or a quality. */
  noun: boolean;
  /** The thing a figure is asked about (托位 in 新增多少托位). */
  focus: boolean;
  /** The reports write the word whole: its pieces stand for it only all together. */
  known?: boolean;
  /** Made of single characters the segmenter left apart (托为, 还搞): a typo or debris, never named as absent. */
  glued?: boolean;
}

export interface Query {
  /** As asked: trimmed and cut to MAX_QUESTION_LENGTH. */
  raw: string;
  truncated: boolean;
  /** Normalised (NFKC, simplified, no markup), lower case. */
  text: string;
  english: boolean;
  intent: Intent;
  /** Asked as yes/no (吗, 是否, 是不是, is/will …). */
  yesNo: boolean;
  /** Asks about a whole part of the report (民生那部分, 第五部分). */
  section: boolean;
  /** Asks for a name (叫什么, 名字, what is it called). */
  asksName: boolean;
  /** Asks for a street-level location (哪个街道, 哪条路), not just where in general. */
  asksStreet: boolean;
  /** Asks which one is first, largest … (最大, 排名): the report must say so itself. */
  superlative: boolean;
  /** Asks for an ordinal (第几艘). */
  asksOrdinal: boolean;
  /** Asks for every item of a set the question counts (哪30项, 全列出来). */
  asksEnumeration: boolean;
  /** Asks what a named term of the report stands for (“六保”指的是哪六保, 两新一重包括哪些). */
  asksDefinition: boolean;
  /** Only keywords, no question words (招商引资 组合拳). */
  keyword: boolean;
  /** The family of figure asked for (亿元 → money, 百分之几 → percent), when the question says. */
  wants?: UnitFamily;
  /** Asks for a level or total (总量), not a growth rate. */
  total: boolean;
  /** The measure word asked with (几条 → 条), to prefer figures counted the same way. */
  unit?: string;
  /** Figures stated in the question itself (是不是两万多), years and ordinals excluded. */
  quantities: Quantity[];
  /** 第五部分 → 5. */
  ordinal?: number;
  /** When the question asks about (今年, 去年, 2025年, 十四五, 十五五). */
  time: TimeAsked;
  /** Places the question names (浙江, 济南市, Zhejiang) and relative words (全省, 区里). */
  places: PlaceAsked;
  flags: {
    personal: boolean;
    injection: boolean;
    greeting: boolean;
    howTo: boolean;
    /** Nothing but a greeting (你好!), however a report quotes it. */
    bareGreeting: boolean;
    /** Asks for a view, a forecast or advice (你怎么看, 明年房价会不会涨). */
    opinion: boolean;
  };
  concepts: Concept[];
  /** A broad ask of the genre (the problems admitted, the main targets …), answered from its part. */
  broad?: BroadAsk;
  /** The kind of thing the question asks to be named (哪家企业), which the answer must name. */
  asksKind?: EntityKind;
  /** Weighted index terms for retrieval. */
  terms: WeightedTerm[];
}

export interface AnalyzeContext {
  tokenizer: Tokenizer;
  lexicon: Lexicon;
  vocabulary: Vocabulary;
  /** Cue phrasings (data/dict/cues.txt). */
  cues: Cues;
  /** Broad asks of the genre (data/dict/broad.txt). */
  broad?: BroadAsk[];
  /** Kinds of thing a question may ask to be named (data/dict/entities.txt). */
  entities?: EntityKind[];
  /** Names of the loaded reports' regions that the gazetteer lacks as written (市北 for 市北区). */
  ownPlaces: Array<{ form: string; region: Region }>;
}

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;
const NOUNISH = /^(?:n|vn|an|j|eng|x|s|g)/;


/** Attribute words say what kind of figure is wanted; they name no subject of their own. */
const ATTRIBUTES: Record<string, { intent: Intent; wants?: UnitFamily }> = {
  面积: { intent: 'number', wants: 'area' },
  占地: { intent: 'number', wants: 'area' },
  距离: { intent: 'number', wants: 'length' },
  里程: { intent: 'number', wants: 'length' },
  增速: { intent: 'number', wants: 'percent' },
  增幅: { intent: 'number', wants: 'percent' },
  增长率: { intent: 'number', wants: 'percent' },
  比例: { intent: 'number', wants: 'percent' },
  占比: { intent: 'number', wants: 'percent' },
  比重: { intent: 'number', wants: 'percent' },
  百分比: { intent: 'number', wants: 'percent' },
  人数: { intent: 'number', wants: 'people' },
  名额: { intent: 'number' },
  指标数: { intent: 'number' },
  数量: { intent: 'number' },
  个数: { intent: 'number' },
  数目: { intent: 'number' },
  总数: { intent: 'number' },
  总量: { intent: 'number' },
  总额: { intent: 'number' },
  总规模: { intent: 'number' },
  规模: { intent: 'number' },
  任务量: { intent: 'number' },
  目标值: { intent: 'number' },
  数值: { intent: 'number' },
  件数: { intent: 'number' },
  项数: { intent: 'number' },
  总投资: { intent: 'number', wants: 'money' },
  投资额: { intent: 'number', wants: 'money' },
  投资总额: { intent: 'number', wants: 'money' },
  工作量: { intent: 'number' },
  体量: { intent: 'number' },
  多少: { intent: 'number' },
  金额: { intent: 'number', wants: 'money' },
  面额: { intent: 'number', wants: 'money' },
  面值: { intent: 'cost', wants: 'money' },
  单价: { intent: 'cost', wants: 'money' },
  学费: { intent: 'cost', wants: 'money' },
  租金: { intent: 'cost', wants: 'money' },
  房租: { intent: 'cost', wants: 'money' },
  补贴: { intent: 'cost', wants: 'money' },
  造价: { intent: 'number', wants: 'money' },
  全长: { intent: 'number', wants: 'length' },
  总长: { intent: 'number', wants: 'length' },
  长度: { intent: 'number', wants: 'length' },
  费用: { intent: 'number', wants: 'money' },
  价格: { intent: 'cost', wants: 'money' },
  收费: { intent: 'cost', wants: 'money' },
  票价: { intent: 'cost', wants: 'money' },
  时间: { intent: 'when' },
  日期: { intent: 'when' },
  时候: { intent: 'when' },
  工期: { intent: 'when' },
  期限: { intent: 'when' },
  地点: { intent: 'where' },
  位置: { intent: 'where' },
  地址: { intent: 'where' },
  选址: { intent: 'where' },
};

// — units wanted —
const WANTS: Array<[RegExp, UnitFamily]> = [
  [/多少钱|多少元|多少亿|多少万元|几亿|资金|金额|(?<!消费|物)价格(?!指数|涨幅)|费用|\bmoney\b|\byuan\b|\bbillion\b/, 'money'],
  // A rate of something (赤字率, 参保率, 覆盖率) is a share, whatever else the question says.
  [/百分之几|百分比|比例|增速|增幅|增长率|占比|几成|几个百分点|多少个百分点|%|(?<![效频功概汇税利])率|\bpercent|\brate\b|\bgrowth\b/, 'percent'],
  [/多少人|几人|多少名|几名|多少位|多少人次|\bpeople\b|\bpersons\b/, 'people'],
  [/多少平方米?|几平方|面积|多少亩|\bsquare\b|\barea\b/, 'area'],
  [/多少公里|几公里|多少米|多长|长度|\bkilomet|\bkm\b/, 'length'],
  [/多少场|几场|多少次|几次|多少批|\bhow many times\b/, 'times'],
  [/多少岁|几岁|寿命|\blife expectancy\b/, 'age'],
  [/多少吨|几吨|多少万吨|多少斤|多少亿斤|多少公斤|\btons?\b|\btonnes?\b/, 'weight'],
  [/多少天|几天|\bhow many days\b/, 'duration'],
];

// — refusal classes —


/** Prefixes of a verb or noun that leave its sense (新开工 → 开工, 再提升 → 提升, 扩建 → 建). */
const PREFIX = /^[新再续扩增重复加]$/;

/** The tag of two single characters kept together as a possible typo of a report word (就叶 → 就业). */
const TYPO_PAIR = 'nx';

/** Characters that ask: never part of a typo of a report word. */
const QUESTION_CHARS = new Set([...'啥谁哪几多怎么何吗呢吧啊呀嘛']);

/** Characters that glue to nothing: particles and links (定 + 的 is not a word of the report). */
const FUNCTION_CHARS = new Set([...'的了着过地得是在和与及或也都还就吗呢吧啊呀么嘛把被给让对从向到']);

/** Single verbs and adverbs that follow a subject in speech (率 + 按, 还 + 搞, 院 + 要): never the end of a typo or a glued word. */
const LONE_CHARS = new Set([...'按搞要关吃降升做干弄办涨跌拿帮能会该想再又才约将已正刚投花']);

/** Generic nouns that only frame a question when they follow 哪些/什么 (哪些领域, 什么方式). */
const FRAME_NOUNS = new Set(['领域', '方面', '地方', '方式', '形式', '内容', '类型', '种类', '东西', '事情', '事', '要求', '工作', '渠道', '环节', '样子', '名堂', '原则', '理念', '口号', '说法', '提法', '作用', '好处', '亮点', '特点', '办法', '手段', '政策', '目标', '任务', '称号', '荣誉', '头衔', '名号', '级别', '层级']);
const ASKING = /^(?:哪些|哪几|哪几个|哪几种|哪几类|几种|几类|什么|啥|哪个|哪类|哪种|何种|什么样)$/;

/** A question word after which the counted thing is named (新增多少托位) or before which (GDP增长多少). */
const QUESTION_WORD = /^(?:第几|多少|几.{0,2}|多大|多长|多高|何时|什么时候|啥时候|哪天|在哪|哪里|哪个|how|when|where)$/;

interface Token {
  word: string;
  tag: string;
  concept?: Concept;
  stop: boolean;
}

/** A-not-A questions (能不能, 会不会, 是不是, 有没有, 可不可以, 算不算) and a closing 不/没 (能便宜点不). */
const A_NOT_A = /(能|会|是|要|可|算|够|行|给|让|管|有|用|准|该|需)(?:不|没)\1(?:以|要)?|[不没][?？!！。]*$/g;

export function analyzeQuestion(question: string, ctx: AnalyzeContext): Query {
  const trimmed = question.trim();
  const chars = [...trimmed];
  const truncated = chars.length > MAX_QUESTION_LENGTH;
  const raw = truncated ? chars.slice(0, MAX_QUESTION_LENGTH).join('') : trimmed;
  const cues = ctx.cues;
  const asked = normalizeQuestion(raw).toLowerCase();
  // Who asks and why, and how the answer should look, are not the question (替处长问一句, 原文怎么表述的).
  const text = unwrap(asked, cues);
  const places = placesOf(text, ctx.lexicon.gazetteer, ctx.ownPlaces, (s) => ctx.vocabulary.isWordOrPhrase(s));
  // What is asked about is read without the place and time words (scope takes those).
  // 多大面积 / 多长时间 ask for 面积 / 时间 by 多少: read them so (大面积 is not a subject).
  // 能不能 / 会不会 / 有没有 ask yes or no (read from the text below): no subject, and not cut into 不能.
  const subject = withoutTime(places.rest).replace(/多大(面积|规模|范围)|多长(时间|距离)/g, '多少$1$2').replace(A_NOT_A, ' ');
  const hanCount = (text.match(HAN_G) ?? []).length;
  const english = hanCount < 2 && /[a-z]{2,}/.test(text);

  // Time words (这几年, 十四五) say when, not what kind of answer: intent is read without them.
  let intent = intentOf(withoutTime(text), cues);
  const quantities = extractQuantities(subject);
  // 头一块 / 头一个部分 / 首先: the first.
  const ordinal = quantities.find((q) => q.ordinal)?.value ?? (/头一(?:块|部分|方面|项|个部分)/.test(text) ? 1 : undefined);

  let wants = wantsOf(text, intent);
  let concepts: Concept[];
  if (english) {
    concepts = englishConcepts(subject, ctx, intent);
  } else {
    const tokens = tokenize(subject, ctx);
    // Attribute words (面积, 增速, 时间) decide what is wanted and leave the subject to the rest.
    for (const t of tokens) {
      const attr = ATTRIBUTES[t.word];
      if (!attr || !t.concept) continue;
      // 居民消费价格 is an indicator (CPI), not a price; 补贴发了多少人 counts people, not money.
      if (attr.intent === 'cost' && (/消费价格|物价|报销|医保/.test(text) || /多少(?:人|户|家|个|万人)|几(?:人|户|家)/.test(text))) continue;
      // 还有补贴吗 / 有啥养老补贴: whether there is one, not how much it pays.
      if (t.word === '补贴' && !/多少|几|标准|金额|钱|额度|提高到|涨到/.test(text)) continue;
      t.concept = undefined;
      t.stop = true;
      if (intent === 'fact' || intent === 'list' || intent === 'summary' || (intent === 'number' && ['cost', 'when', 'where'].includes(attr.intent))) {
        intent = attr.intent;
      }
      if (attr.wants && !wants) wants = attr.wants;
    }
    // A trailing 重点 / 要点 (园区建设 重点) asks for a summary; it is not a subject.
    const tail = [...tokens].reverse().find((t) => !t.stop || t.concept);
    if (tail?.concept && /^(?:重点|要点|概况|情况)$/.test(tail.word) && tokens.filter((t) => t.concept).length > 1) tail.concept = undefined;
    // A unit among the words of a keyword query (跨境电商 贸易额 亿元) asks for a figure of that kind.
    // …and so does a unit that closes the question (社会消费品零售总额 2025 总额 亿元); one that a subject
    // follows (亿元项目) is part of the subject.
    const at = tokens.findIndex((t) => t.stop && UNIT_WORD.test(t.word));
    const unitWord = tokens[at];
    const closes = at >= 0 && tokens.slice(at + 1).every((t) => !t.concept);
    if (unitWord && (intent === 'fact' || intent === 'list' || (closes && !wants))) {
      intent = 'number';
      const family = familyOf(unitWord.word.replace(/^[亿万]/, '') || unitWord.word);
      if (family !== 'none') wants = family;
    }
    concepts = tokens.flatMap((t) => (t.concept ? [t.concept] : []));
    concepts = concepts.filter((c, i) => concepts.findIndex((d) => d.text === c.text) === i);
    markFocus(tokens, intent);
    // “1234”发展思路是什么意思: the coined name asked about is the subject, whole; the words of the asking are not.
    const defined = definedTerm(subject, cues);
    if (defined) {
      const asking = cues.define.exec(text)?.[0] ?? '';
      // The pieces jieba cut the name into (1234 / 发展 / 思路) give way to it; other words stay as they were.
      concepts = concepts.filter((c) => !asking.includes(c.text) && !defined.includes(c.text));
      concepts.unshift({ ...conceptOf(defined, 'nz', ctx), focus: !concepts.some((c) => c.focus) });
    }
  }

  const query: Query = {
    raw,
    truncated,
    text,
    english,
    intent,
    yesNo: cues['yes-no'].test(text),
    section: cues.section.test(text) || (ordinal !== undefined && /部分|方面|章|节/.test(text)),
    asksName: /叫什么|叫啥|名字|名称|什么名|称号|是哪个(?![部单地市县区省])\p{Script=Han}{0,3}[?？]?$|是哪一个|\bcalled\b|\bname\b/u.test(text),
    asksStreet: /哪个街道|哪些街道|(?:哪|那)条街|(?:哪|那)条路|哪些路段|具体位置|什么位置|地址|门牌/.test(text),
    superlative: /最(?:大|多|高|少|小|低|重要|贵|长|早|快|先)|排名|排第|排前|\b(?:largest|biggest|most|highest|first)\b/.test(text),
    asksOrdinal: /第几/.test(text),
    keyword: !english && !/[?？吗呢吧么啥谁哪几多怎何]|什么|是否|有没有|是不是|如何/.test(text),
    asksDefinition: cues.define.test(text),
    asksEnumeration: /全(?:部)?列(?:出|举)|一一列|都列|(?:哪|那)[\d一二两三四五六七八九十]+[项件个条类]|具体是哪些|分别是(?:什么|哪)/.test(text),
    ...(wants ? { wants } : {}),
    ...unitAsked(text),
    total: /总量|总规模|总额是|(?<!生产|产)总值|总共|一共|加起来|合计|累计|现有|现在有|目前有|总里程|总长度|总数|\btotal\b|\bin all\b/.test(text) && !/增长|增速|增幅/.test(text),
    quantities: quantities.filter((q) => !q.ordinal && q.family !== 'year'),
    ...(ordinal !== undefined ? { ordinal } : {}),
    time: askedTime(text),
    places,
    flags: {
      personal: cues.personal.test(text),
      injection: cues.injection.test(text),
      greeting: cues.greeting.test(asked.replace(/^[\s,.!?,。!?~～]+/, '')),
      bareGreeting: cues.bareGreeting.test(asked),
      howTo: cues['how-to'].test(text),
      opinion: cues.opinion.test(text),
    },
    concepts,
    terms: termsOf(concepts, quantities, ctx),
  };
  const broad = ctx.broad?.length ? broadAskOf(query, ctx.broad) : undefined;
  const asksKind = ctx.entities?.find((e) => e.ask.test(text));
  return { ...query, ...(broad ? { broad } : {}), ...(asksKind ? { asksKind } : {}) };
}

/**
 * The time of the clause that asks (孩子明年要上学，想知道今年新增多少学位 → 今年): a time in a clause that
 * only tells the asker's story does not say what is asked. With one clause, or none that asks, the
 * whole question's.
 */
function askedTime(text: string): TimeAsked {
  const clauses = text.split(/[,，;；。!！]/).filter((c) => c.trim());
  if (clauses.length > 1) {
    const asking = clauses.filter((c) => /多少|几|哪|什么|啥|吗|是否|有没有|怎么|如何|[?？]/.test(c)).at(-1);
    const t = asking ? timeOf(asking) : undefined;
    if (t && t.kind !== 'none') return t;
  }
  return timeOf(text);
}

function unitAsked(text: string): { unit?: string } {
  const units = [...text.matchAll(/(?:多少|几)(人次|个|家|处|座|部|条|所|项|件|张|场|批|名|位|栋|艘|辆|台|根|套|间|户)/g)].map((m) => m[1]!);
  // 多少条路、多少处区域 asks for both: no single unit to prefer.
  return units.length === 1 ? { unit: units[0]! } : {};
}


/**
 * An indicator asked by keywords (GDP 增长目标 2026, 城镇新增就业 目标, 研发投入强度 2030): the figure.
 * A plan's goals as a whole (主要目标, 发展目标, 目标任务) are a list, not a figure.
 */

function intentOf(text: string, cues: Cues): Intent {
  if (cues.cost.test(text)) return 'cost';
  if (cues.when.test(text)) return 'when';
  if (cues['list-over-count'].test(text) && !/多少/.test(text)) return 'list';
  if (cues.number.test(text)) return 'number';
  if (!/[?？吗呢吧么啥谁哪几怎何]|什么|如何/.test(text) && cues['figure-words'].test(text) && !cues.goals.test(text)) return 'number';
  if (cues.where.test(text)) return 'where';
  if (cues.who.test(text)) return 'who';
  if (cues.summary.test(text)) return 'summary';
  if (cues.list.test(text)) return 'list';
  return 'fact';
}

function wantsOf(text: string, intent: Intent): UnitFamily | undefined {
  if (intent === 'cost') return 'money';
  if (intent !== 'number') return undefined;
  for (const [re, family] of WANTS) if (re.test(text)) return family;
  return undefined;
}

/**
 * Chinese: segment with part-of-speech tags, drop stop words, glue stray single characters (often a
 * typo or a word the dictionary lacks) and turn each remaining word into a concept.
 */
function tokenize(text: string, ctx: AnalyzeContext): Token[] {
  const tokens: Token[] = [];
  let glue: Token | undefined;
  const flush = (): void => {
    // Stray characters that run past a word the reports know (碳+达+峰+定): keep the known word.
    if (glue && [...glue.word].length >= 3 && !ctx.vocabulary.contains(glue.word)) {
      const chars = [...glue.word];
      for (let n = chars.length - 1; n >= 2; n--) {
        const head = chars.slice(0, n).join('');
        if (ctx.vocabulary.contains(head)) {
          glue = { ...glue, word: head };
          break;
        }
      }
    }
    if (glue && [...glue.word].length >= 2) {
      const c = { ...conceptOf(glue.word, 'x', ctx), glued: true };
      // Stray characters glued together are either a typo of a report word (托为 → 托位) or debris
      // of the segmentation (新投): only the first carries weight.
      if (c.forms.length === 1 && !ctx.vocabulary.contains(glue.word)) {
        c.weight = 0.25 * ctx.vocabulary.maxIdf();
        c.noun = false;
      }
      glue.concept = c;
      glue.stop = false;
      tokens.push(glue);
    }
    glue = undefined;
  };
  let previous = '';
  for (const { word, tag } of resegment(ctx.tokenizer.tag(text), ctx)) {
    const t = word.trim().toLowerCase();
    const afterCount = /^(?:多少|几|\d+|[一二两三四五六七八九十百千万]+)$/.test(previous);
    previous = t;
    // A stray character glued to a stop character can still make a report word (赋 + 能 → 赋能).
    if (glue && HAN.test(t) && [...t].length === 1 && tag !== 'q' && !FUNCTION_CHARS.has(t) && ctx.vocabulary.contains(glue.word + t)) {
      glue = { ...glue, word: glue.word + t };
      continue;
    }
    const numeral =
      ((tag === 'm' || tag === 'q') && /^[\d零〇一二两三四五六七八九十百千万亿几多少个些]+$/.test(t)) ||
      (tag === 'q' && [...t].length === 1) ||
      (tag === 'm' && /几|多少/.test(t)) ||
      (afterCount && isUnit(t));
    const stop =
      !t || ctx.lexicon.stopwords.has(t) || /^第[一二三四五六七八九十\d]+$/.test(t) || !/[\p{Script=Han}a-z]/u.test(t) || /^\d/.test(t) || numeral || UNIT_WORD.test(t);
    if (stop) {
      flush();
      tokens.push({ word: t, tag, stop: true });
      continue;
    }
    if (HAN.test(t) && [...t].length === 1) {
      // 赤字率按多少安排: a lone verb or adverb (按, 搞, 要) ends what came before; it is no piece of a word.
      if (glue && LONE_CHARS.has(t)) {
        flush();
        tokens.push({ word: t, tag, stop: true });
        continue;
      }
      glue = glue ? { ...glue, word: glue.word + t } : { word: t, tag: 'x', stop: true };
      continue;
    }
    flush();
    const concept = conceptOf(t, tag, ctx);
    tokens.push({ word: t, tag, stop: false, concept: tag === TYPO_PAIR ? { ...concept, glued: true } : concept });
  }
  flush();
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.concept && FRAME_NOUNS.has(t.word) && ASKING.test(tokens[i - 1]!.word)) {
      t.concept = undefined;
      t.stop = true;
    }
  }
  // A typo corrected into a word that makes a term with the next one (财证 + 收入 → 财政收入): the term.
  const terms = lexiconTerms(ctx.lexicon);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (!a.concept || !b.concept || ctx.vocabulary.contains(a.word)) continue;
    const fix = a.concept.forms.slice(1).find((f) => [...f].length === [...a.word].length && (terms.has(f + b.word) || ctx.vocabulary.contains(f + b.word)));
    if (!fix) continue;
    const joined = conceptOf(fix + b.word, 'n', ctx);
    tokens.splice(i, 2, { word: a.word + b.word, tag: 'n', stop: false, concept: { ...joined, text: a.word + b.word, forms: [fix + b.word, ...joined.forms.filter((f) => f !== fix + b.word)] } });
  }
  return tokens;
}

const termSets = new WeakMap<Lexicon, Set<string>>();
/** Every term of the synonym groups, built once per lexicon. */
function lexiconTerms(lexicon: Lexicon): Set<string> {
  let set = termSets.get(lexicon);
  if (!set) termSets.set(lexicon, (set = new Set(lexicon.synonymGroups.flat())));
  return set;
}

/**
 * Repairs the segmentation of a question against the report's vocabulary: a word the report never
 * uses is split into report words it is made of (引进外资 → 引进 + 外资), and neighbours that only
 * make sense together are joined (总 + 部类 → 总部类, as in 总部类重点企业).
 */
function resegment(input: Array<{ word: string; tag: string }>, ctx: AnalyzeContext): Array<{ word: string; tag: string }> {
  const known = (w: string): boolean => ctx.vocabulary.contains(w);
  const han = (w: string): boolean => /^\p{Script=Han}+$/u.test(w);
  // Two single characters that the reports never write together but that sound like a word they do
  // (就+叶 → 就业, 托+为 → 托位) are a typo of that word: keep them together so it can be corrected.
  const tagged: Array<{ word: string; tag: string }> = [];
  for (const t of input) {
    const prev = tagged[tagged.length - 1];
    const single = (x: { word: string; tag: string }): boolean => han(x.word) && x.word.length === 1 && !/^[mqxuyce]/.test(x.tag) && !QUESTION_CHARS.has(x.word);
    if (prev && single(prev) && single(t) && !FUNCTION_CHARS.has(t.word) && !LONE_CHARS.has(t.word) && !known(prev.word + t.word) && ctx.vocabulary.soundsLike(prev.word + t.word).length > 0) {
      tagged[tagged.length - 1] = { word: prev.word + t.word, tag: TYPO_PAIR };
      continue;
    }
    tagged.push(t);
  }
  const out: Array<{ word: string; tag: string }> = [];
  for (const t of tagged) {
    const prev = out[out.length - 1];
    const mergeable = (x: { word: string; tag: string }): boolean =>
      han(x.word) && !ctx.lexicon.stopwords.has(x.word) && !/^[mqxuyc]/.test(x.tag) && !isUnit(x.word);
    if (prev && mergeable(prev) && mergeable(t) &&
        ((!known(prev.word) && [...prev.word].length >= 2) || (!known(t.word) && [...t.word].length >= 2)) &&
        [...prev.word + t.word].length <= 6 && ctx.vocabulary.isWordOrPhrase(prev.word + t.word)) {
      out[out.length - 1] = { word: prev.word + t.word, tag: NOUNISH.test(t.tag) ? t.tag : prev.tag };
      continue;
    }
    out.push(t);
  }
  return out.flatMap((t) => {
    if (!han(t.word) || [...t.word].length < 3 || known(t.word)) return [t];
    // A term of the lexicon (城市建设和管理, 投资招引协同) is understood through its synonyms: keep it whole.
    if (ctx.lexicon.synonymGroups.some((g) => g.includes(t.word))) return [t];
    const parts = ctx.tokenizer.words(t.word).filter((w) => w !== t.word && [...w].length >= 2 && known(w));
    // Non-overlapping, in order, longest first.
    const chosen: Array<{ at: number; word: string }> = [];
    for (const w of [...parts].sort((a, b) => b.length - a.length)) {
      const at = t.word.indexOf(w);
      if (chosen.every((c) => at + w.length <= c.at || at >= c.at + c.word.length)) chosen.push({ at, word: w });
    }
    if (chosen.length < 2) return [t];
    return chosen.sort((a, b) => a.at - b.at).map((c) => ({ word: c.word, tag: ctx.tokenizer.tag(c.word)[0]?.tag ?? t.tag }));
  });
}

/** English: the glossary turns phrases into the report's Chinese terms; unknown words are ignored. */
/** Plural and -ed forms matched like the glossary's words (hospitals → hospital, expanded → expand). */
/**
 * The name a definition question asks about: what it quotes (“六个一”), else what stands before the
 * asking (1234发展思路指什么, 两新一重包括哪些) without the words that point at the report. Only a
 * short name counts: a longer run is a question of its own.
 */
function definedTerm(text: string, cues: Cues): string | undefined {
  const asking = cues.define.exec(text);
  if (!asking) return undefined;
  const quoted = /[“"‘]([^”"’]{2,16})[”"’]/.exec(text)?.[1];
  const before = text
    .slice(0, asking.index)
    .replace(/^(?:请问|问一下|报告(?:里|中)?(?:的|说的|提到的|讲的)?|文中(?:的)?|所谓(?:的)?|这个|那个)+/, '')
    .replace(/(?:到底|究竟|具体|都|是|的)+$/, '')
    .trim();
  // 国务院报告里的六保: what follows the last 的 is the name.
  const name = (quoted ?? before.slice(before.lastIndexOf('的') + 1)).replace(/[“”"]/g, '');
  if ([...name].length < 2 || [...name].length > (quoted ? 16 : 8) || !/^[\p{Script=Han}\d]+$/u.test(name)) return undefined;
  if (quoted) return name;
  // Unquoted, a coined name holds a number (六保, 1234发展思路, 两新一重, 红色三馆), is one phrase (no 的), and
  // is not a plan, a year or a count of things (十四五主要目标, 20件实事, 十大工程 are questions of their own).
  if (!/[\d一二两三四五六七八九十]/.test(name) || /要|[十\d]+[件个项条]|十大|^十[一二三四五六七八九]五|^(?:19|20)\d{2}/.test(name)) return undefined;
  return name;
}

const stem = (w: string): string =>
  w
    .replace(/(?<=[a-z]{3})ies$/, 'y')
    .replace(/(?<=[a-z]{3})(?:es|s)$/, '')
    .replace(/(?<=[a-z]{4})(?:ed|ing)$/, '')
    .replace(/(?<=[a-z]{3})e$/, '');

function englishConcepts(text: string, ctx: AnalyzeContext, intent: Intent): Concept[] {
  const stemmed = ` ${text.replace(/[^a-z0-9+\- ]+/g, ' ').split(/\s+/).map(stem).join(' ')} `;
  let rest = stemmed;
  const concepts: Concept[] = [];
  const found: Array<{ at: number; concept: Concept }> = [];
  for (const [phrase, terms] of ctx.lexicon.glossary) {
    const needle = ` ${phrase.split(/\s+/).map(stem).join(' ')} `;
    if (!rest.includes(needle)) continue;
    const at = rest.indexOf(needle);
    rest = rest.split(needle).join(' '.repeat(needle.length));
    const forms = dedupe(terms.flatMap((t) => [t, ...synonymsOf(t, ctx)]));
    const concept: Concept = { text: terms[0]!, forms, parts: [], weight: weightOf(forms, true, ctx), noun: true, focus: false };
    concepts.push(concept);
    found.push({ at, concept });
  }
  // How many <thing>: the first translated phrase after the question words is what is counted.
  const asked = /\bhow (?:many|much)\b/.exec(stemmed);
  if (intent === 'number' && asked) {
    const counted = found.filter((f) => f.at > asked.index).sort((a, b) => a.at - b.at)[0];
    if (counted) counted.concept.focus = true;
  }
  const words = rest.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    // Romanised names (Jinsong 3rd Road → 劲松三路): the report word with that pinyin.
    const name = ctx.vocabulary.fromPinyin(words[i]!);
    if (name) {
      const road = /^(?:\d+(?:st|nd|rd|th)?|one|two|three)$/.test(words[i + 1] ?? '') && /^(?:road|rd|street|st)$/.test(words[i + 2] ?? '');
      concepts.push({ text: name, forms: [name], parts: [], weight: weightOf([name], true, ctx), noun: true, focus: false });
      if (road) i += 2;
      continue;
    }
    const word = words[i]!;
    // A content word the glossary does not know (apartments) may be exactly what the report lacks,
    // and in a figure question it is what is counted.
    if (word.length < 4 || ENGLISH_STOPWORDS.has(word) || ENGLISH_STOPWORDS_STEMMED.has(word)) continue;
    concepts.push({ text: word, forms: [word], parts: [], weight: 0.3 * ctx.vocabulary.maxIdf(), noun: true, focus: false });
  }
  return concepts;
}

const ENGLISH_STOPWORDS = new Set(
  ('what which where when will would could should does have with from that this these those there their about into ' +
    'many much more most some year years district shibei report government work plan plans planned this next last ' +
    'goal goals target targets number numbers total amount build built building make made become becomes being been ' +
    'they them your yours please tell know like also other than over under year\'s main major key new newly does ' +
    'mentioned mention say says said list give show expand expanded expanding increase increased add added aim aims ' +
    'improve improved promote support supported plan happen happening going based level levels kind kinds type types ' +
    'city move moving forward progress start started starting ahead this that will going ' +
    'extra additional affordable residential old older existing public local various several certain ' +
    'summarize summarise summary section part chapter describe explain overview about regarding point points detail details ' +
    // Words of the asking, the place the report is about and units, which the figure itself carries.
    'expect expected fully reach reached until issue issued complete completed completion province provinces provincial ' +
    'kilometer kilometers kilometre kilometres meter meters metre metres yuan percent percentage billion million thousand hundred price prices cost costs')
    .split(/\s+/),
);
const ENGLISH_STOPWORDS_STEMMED = new Set([...ENGLISH_STOPWORDS].map(stem));

function conceptOf(word: string, tag: string, ctx: AnalyzeContext): Concept {
  const forms = [word, ...synonymsOf(word, ctx)];
  let parts: string[] = [];
  // Only names and things are corrected by sound: 一起 is a word of its own, not a typo of 一期.
  const correctable = !/^(?:d|m|r|p|c|u|y|q|f|t|e|o)/.test(tag);
  if (HAN.test(word) && !ctx.vocabulary.contains(word) && correctable) {
    for (const fix of ctx.vocabulary.soundsLike(word)) forms.push(fix);
    // A typo inside a longer word (冲电桩 → 充电桩, 引岭型 → 引领型): fix the pair that sounds like a
    // report bigram, then keep the report words the corrected string contains.
    const chars = [...word];
    if (chars.length >= 3 && forms.length === 1) {
      for (let i = 0; i + 1 < chars.length; i++) {
        const pair = chars[i]! + chars[i + 1]!;
        if (ctx.vocabulary.contains(pair)) continue;
        for (const alt of ctx.vocabulary.soundsLike(pair).slice(0, 2)) {
          const fixed = [...chars.slice(0, i), alt, ...chars.slice(i + 2)].join('');
          for (const w of ctx.tokenizer.words(fixed)) if ([...w].length >= 2 && ctx.vocabulary.contains(w) && !forms.includes(w)) forms.push(w);
        }
      }
    }
  }
  // A compound (体育场馆, 养老机构) may be written apart in the report (体育…场馆, 养老服务机构): its pieces.
  if (HAN.test(word) && [...word].length >= 3 && correctable) {
    parts = ctx.tokenizer.words(word).filter((w) => w !== word && [...w].length >= 2 && ctx.vocabulary.contains(w));
  }
  const noun = NOUNISH.test(tag);
  const chars = [...word];
  const stem = chars.length >= 3 && PREFIX.test(chars[0]!) && ctx.vocabulary.isWord(chars.slice(1).join('')) ? chars.slice(1).join('') : undefined;
  const known = ctx.vocabulary.contains(word);
  return { text: word, forms: dedupe(forms), parts, weight: weightOf(forms, noun, ctx), noun, focus: false, ...(stem ? { stem } : {}), ...(known ? { known } : {}) };
}

function synonymsOf(word: string, ctx: AnalyzeContext): string[] {
  const out: string[] = [];
  for (const group of ctx.lexicon.synonymGroups) {
    if (group.includes(word)) out.push(...group);
    else if (
      [...word].length >= 3 &&
      group.some((m) => [...m].length >= 2 && word.includes(m) && !ctx.vocabulary.contains(m))
    ) {
      // 高企数量 → the 高企 group, when the abbreviation itself never occurs in the report.
      out.push(...group);
    }
  }
  return out.filter((t) => t !== word);
}

/**
 * The most specific wording decides how much a concept matters. A word the report never uses weighs
 * like a rare one when it names a thing (房价: the report may simply not cover it), and little when it is
 * an action or a quality (在建, 覆盖: usually just the asker's phrasing).
 */
function weightOf(forms: string[], noun: boolean, ctx: AnalyzeContext): number {
  let best = 0;
  let seen = false;
  for (const f of forms) {
    if (!ctx.vocabulary.contains(f)) continue;
    seen = true;
    best = Math.max(best, ctx.vocabulary.idf(f));
  }
  if (seen) return best;
  return (noun ? 0.8 : 0.25) * ctx.vocabulary.maxIdf();
}

/**
 * The focus of a figure question is the thing counted: the noun phrase right after 多少/几 (新增多少托育
 * 机构 → 托育 + 机构), or, when nothing follows, the nearest noun before it (GDP增长多少).
 */
function markFocus(tokens: Token[], intent: Intent): void {
  if (!['number', 'cost', 'when', 'where'].includes(intent)) {
    // 要打造出什么 / 依托哪些商圈: the action or thing next to the question word is what the answer is about.
    const q = tokens.findIndex((t) => ASKING.test(t.word) || t.word === '谁');
    if (q < 0) return;
    const after = tokens.slice(q + 1).find((t) => t.concept || !t.stop);
    if (after?.concept?.noun) {
      after.concept.focus = true;
      return;
    }
    for (let i = q - 1; i >= 0; i--) {
      const c = tokens[i]!.concept;
      if (c) {
        c.focus = true;
        return;
      }
    }
    return;
  }
  const q = tokens.findIndex((t) => QUESTION_WORD.test(t.word) || t.word.includes('多少'));
  if (q < 0) return;
  let marked = false;
  for (let i = q + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    // 多少个困难的残疾人, 多少公里的道路: what follows 的 is the thing counted, what came before qualifies it.
    if (t.word === '的' && tokens[i + 1]?.concept?.noun && PHRASE.test(tokens[i + 1]!.tag) && !GENERIC.has(tokens[i + 1]!.word)) {
      for (let j = q + 1; j < i; j++) if (tokens[j]!.concept) tokens[j]!.concept!.focus = false;
      marked = false;
      continue;
    }
    if (!t.concept) {
      if (marked || !isUnit(t.word)) break;
      continue;
    }
    if (!PHRASE.test(t.tag) || GENERIC.has(t.word)) break;
    t.concept.focus = true;
    marked = true;
  }
  if (marked) return;
  // Nothing follows: the noun phrase just before (城乡居民人均可支配收入, GDP), passing over the unit a
  // figure is given per (每个孩子, 每人, 每户), which is not what is counted.
  for (let i = q - 1; i >= 0; i--) {
    const c = tokens[i]!.concept;
    // …per (每个孩子) or the whole a share is of (占GDP比重): not what is counted.
    const per = /^[每占]/.test(tokens[i - 1]?.word ?? '') || (tokens[i - 1]?.word === '个' && /^每/.test(tokens[i - 2]?.word ?? ''));
    if (!c || !c.noun || GENERIC.has(c.text) || per) {
      if (marked) return;
      continue;
    }
    c.focus = true;
    marked = true;
  }
}

/** Units name no subject: 多少亿元 asks for money, which `wants` already says. */
const UNIT_WORD = /^(?:亿元|万元|元|亿|万|平方米|平方公里|公里|千米|米|人次|场次|批次|百分点|个百分点|块钱|美元|亩|万亩|公顷|吨|万吨|岁|斤|亿斤|千瓦|万千瓦|千瓦时|标准箱|万标准箱|辆|万辆|台|万台|艘|万套|万户|万人|万个)$/;

/** Parts of speech that build a noun phrase (老旧小区: adjective + noun). */
const PHRASE = /^(?:n|vn|an|a|b|j|eng|x|s|g|l)/;

const isUnit = (w: string): boolean => /^(?:个|家|处|座|部|条|所|项|件|张|场|次|批|人|名|位|户|套|栋|间|根|块|万|千|百|亿|元|平方米|公里|米|辆|台|艘)$/.test(w);

/** Words that never name the thing counted. */
const GENERIC = new Set(['增长', '增加', '新增', '新建', '新开', '新设', '目标', '预期目标', '增长目标', '目标值', '达到', '预期', '任务', '实现', '完成', '建设', '建成', '开工', '启动', '启用', '投用', '落地', '开展', '引进', '计划', '打造', '推动', '提升', '总量', '总额', '资金', '预计', '力争', '争取', '附近']);

function termsOf(concepts: Concept[], quantities: Quantity[], ctx: AnalyzeContext): WeightedTerm[] {
  const weights = new Map<string, number>();
  const put = (term: string, w: number): void => {
    if (w > (weights.get(term) ?? 0)) weights.set(term, w);
  };
  for (const c of concepts) {
    const boost = c.focus ? 1.3 : 1;
    c.forms.forEach((form, i) => {
      const base = (i === 0 ? 1 : 0.6) * boost;
      const words = ctx.tokenizer.words(form);
      for (const w of words) put(`w:${w}`, base);
      // A form the segmenter never produced in the report is found through its bigrams: weigh them as a word.
      const known = words.some((w) => ctx.vocabulary.isWord(w));
      for (const b of bigrams(form)) put(`b:${b}`, (known ? 0.4 : 1) * base);
    });
    // The pieces of a compound the reports never write whole (体育场馆) are searched for it.
    if (!ctx.vocabulary.contains(c.text)) for (const part of c.parts) put(`w:${part}`, 0.6 * boost);
  }
  for (const q of quantities) if (!q.ordinal && q.family !== 'year') put(`n:${valueKey(q.value)}`, 0.6);
  return [...weights].map(([term, weight]) => ({ term, weight }));
}

function dedupe<T>(items: T[]): T[] {
  return [...new Set(items)];
}
