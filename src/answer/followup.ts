import type { Gazetteer, Region } from '../corpus/regions.ts';
import { foldWidth } from '../corpus/text.ts';
import { placesOf } from './place.ts';
import { timeWords } from './time.ts';

/**
 * Follow-up questions, read without a model. People in a chat do not repeat themselves: after
 * "四川今年城镇新增就业目标是多少" come "去年呢", "山东呢", "那养老床位呢", "具体有哪些". A message that leaves
 * out the place, the time or the subject takes them from the conversation's last answered question;
 * a complete question starts afresh. What was taken is always said (`interpretedAs`): nothing is
 * inherited silently.
 */

/** The parts of an answered question a follow-up may take. */
export interface TurnContext {
  /** The place as written (四川, 山东省), if the question named one. */
  place?: string;
  /** The time as written (今年, 去年, 十四五期间, 2025年), if the question named one. */
  time?: string;
  /** What was asked about (城镇新增就业目标). */
  subject: string;
  /** How it was asked (是多少, 有哪些). */
  tail: string;
}

export type Inherited = 'place' | 'time' | 'subject';

export interface FollowUp {
  /** The question to answer: the message itself, or the message completed from the context. */
  question: string;
  /** What was taken from the context; empty when the message stands alone. */
  inherited: Inherited[];
  /** How the message was read, for "按“…”理解" (set when something was inherited). */
  interpretedAs?: string;
  /** The message needs a context it does not have ("去年呢" as a first message). */
  needsContext: boolean;
  /** The context this question leaves for the next message. */
  context?: TurnContext;
}

/** A past time, whose part of a report states results rather than targets. */
const PAST = /去年|上年|上一年|十四五|过去五年|五年来|这五年|(?<!\d)20(?:1\d|2[0-5])年/;
const TAIL = /(?:(?:定|定为|定在|定的|定了|是|为|有|达到|要)?(?:多少|几)(?:人次|人|个|座|户|亩|项|条|件|亿元|万元|公里)?|是什么|有哪些|哪些|是哪几\S?|哪几\S?|怎么样|如何|怎样|吗)?[?？。!！,，\s]*$/;
/**
 * What is left of a message once place, time and question words are gone, when it names no subject:
 * a verb or a kind of figure (实际产了, 新增了, 完成了, 计划, 目标, 年均增长, 累计建成). Such a message is a
 * follow-up about the last subject; its words still say what is asked of it.
 */
const NO_SUBJECT = /^(?:实际|计划|打算|预计|要|将|已经|已|一共|累计|总共|合计|年均|平均|大概|大约|的)*(?:产|新增|增加|完成|改|改造|建成|建|实现|达到|增长|提高|提升|下降|投入|引进|开工|培训|新建)?(?:了|过|的)?(?:目标|预期目标|计划|任务|情况|完成情况|实际)?$/;
/** Intention words of a plan question, dropped when the same subject is asked of a past year. */
const INTENT = /^(?:打算|计划|要|将|预计|力争)/;
const LEAD = /^(?:那么|那|还有|另外|再问一下|请问|我想问一下|我想问)+/;
const MARKED_END = /(?:的)?呢[?？!！。\s]*$/;
const FILLER = /^(?:的|一共|总共|累计|合计|共)+|(?:的|一共|总共|累计|合计|情况|方面|数据|数字|指标)+$/g;
const LIST = /^(?:具体)?(?:都|还|分别)?(?:有|包括|是)?(?:哪些|什么|哪几\S?)(?:措施|举措|项目|内容|工作|安排)?$|^具体(?:措施|举措|情况|内容|安排)?(?:是什么|有哪些|呢)?$|^(?:具体)?(?:怎么|如何)(?:做|落实|推进|实现)(?:的)?$/;
/** 都有哪些招商方式: a list of something else about the same place and time. */
const LIST_OF = /^(?:具体)?(?:都|还)?(?:有|包括)哪些(\p{Script=Han}{2,12})$/u;
export const RESET = /^(?:重新开始|重新来|换个话题|\/new(?:@\w+)?)$/i;

export interface FollowUpDeps {
  gazetteer: Gazetteer;
  /** Forms of the loaded regions the gazetteer does not list (市北 for 市北区). */
  own?: Array<{ form: string; region: Region }>;
}

/** The place, time, subject and tail of a question as written. */
export function readTurn(text: string, deps: FollowUpDeps): TurnContext & { rest: string } {
  const folded = foldWidth(text.trim());
  const places = placesOf(folded, deps.gazetteer, deps.own ?? []);
  const mention = places.mentions.find((m) => m.start >= 0 && !m.partOfName);
  const place = mention ? folded.slice(mention.start, mention.end) : undefined;
  let rest = places.rest;
  const time = timeWords(rest);
  if (time) rest = rest.replace(time, ' ');
  rest = rest.replace(/\s+/g, '');
  const tail = TAIL.exec(rest)?.[0] ?? '';
  const subject = rest.slice(0, rest.length - tail.length).replace(LEAD, '').replace(FILLER, '');
  return { ...(place ? { place } : {}), ...(time ? { time } : {}), subject, tail: tail.replace(/[?？。!！,，\s]+$/, ''), rest };
}

function compose(t: TurnContext, extra = ''): string {
  return `${t.place ?? ''}${t.time ?? ''}${t.subject}${extra}${t.tail || '是多少'}`;
}

function shown(t: TurnContext, extra = ''): string {
  return `${t.place ?? ''}${t.time ?? ''}${t.subject}${extra}`;
}

/** Reads a message against the last answered question of its conversation. */
export function followUp(message: string, previous: TurnContext | undefined, deps: FollowUpDeps): FollowUp {
  const text = foldWidth(message.trim());
  const marked = LEAD.test(text) || MARKED_END.test(text);
  const core = text.replace(LEAD, '').replace(MARKED_END, '').replace(/[?？。!！\s]+$/, '');
  const own = (context: TurnContext): FollowUp => ({ question: message, inherited: [], needsContext: false, context });
  // Nothing said at all (an empty line): not a follow-up of anything.
  if (!core) return { question: message, inherited: [], needsContext: false };

  // 具体有哪些 / 都有哪些措施: the same subject, asked as a list.
  if (LIST.test(core)) {
    if (!previous) return { question: message, inherited: [], needsContext: true };
    const subject = previous.subject.replace(/目标$/, '');
    const t: TurnContext = { ...previous, subject, tail: core.startsWith('具体') ? core : `具体${core}` };
    return { question: compose(t), inherited: ['subject', ...(previous.place ? ['place' as const] : []), ...(previous.time ? ['time' as const] : [])], interpretedAs: shown(t, t.tail), needsContext: false, context: { ...t, tail: previous.tail } };
  }

  const listOf = LIST_OF.exec(core);
  const turn = listOf ? { subject: listOf[1]!, tail: '有哪些' } : readTurn(core, deps);
  // 实际产了多少 / 今年的目标呢: words about the figure asked, not a subject of their own.
  const kindWords = !listOf && NO_SUBJECT.test(turn.subject) ? turn.subject.replace(/^的+/, '') : '';
  if (kindWords || NO_SUBJECT.test(turn.subject)) turn.subject = '';
  const parts: TurnContext = { ...('place' in turn && turn.place ? { place: turn.place } : {}), ...('time' in turn && turn.time ? { time: turn.time } : {}), subject: turn.subject, tail: turn.tail };
  // A question of its own: a subject, asked without 那…/…呢.
  if (turn.subject && !marked && !listOf) return own({ ...parts, tail: turn.tail || '是多少' });
  if (!previous) return turn.subject ? own(parts) : { question: message, inherited: [], needsContext: true };

  const inherited: Inherited[] = [];
  const t: TurnContext = { subject: turn.subject, tail: turn.tail || previous.tail };
  if (parts.place) t.place = parts.place;
  else if (previous.place) {
    t.place = previous.place;
    inherited.push('place');
  }
  if (parts.time) t.time = parts.time;
  else if (previous.time) {
    t.time = previous.time;
    inherited.push('time');
  }
  if (!turn.subject) {
    // 去年呢 / 山东呢 / 十四五期间一共多少: the same subject at another time or place. A past part of a
    // report states results, so a target asked of this year becomes the figure of that year.
    const past = Boolean(t.time && PAST.test(t.time));
    const base = past ? previous.subject.replace(/(?:的)?(?:预期)?目标$/, '').replace(INTENT, '') : previous.subject;
    // The message's own words about the figure (目标, 实际完成, 年均增长) replace the previous ones.
    const own = kindWords.replace(/^(?:实际|已经|已)+/, '');
    const stem = base.replace(/(?:的)?(?:预期)?目标$/, '');
    t.subject = own ? (stem.endsWith(own) ? stem : `${stem}${own}`) : base;
    if (!t.subject) return { question: message, inherited: [], needsContext: true };
    inherited.unshift('subject');
  }
  if (!inherited.length) return own(parts);
  const extra = /一共|总共|累计|合计/.exec(core)?.[0] ?? '';
  return { question: compose(t, extra), inherited, interpretedAs: shown(t, extra), needsContext: false, context: t };
}
