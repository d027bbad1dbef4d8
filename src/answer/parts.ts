/**
 * Two questions in one message (今年新建改建几所学校？幼儿园呢？ · 新增就业目标是多少人？农村劳动力转移呢？):
 * people in a chat ask them together, and an answer to the first alone leaves the second unanswered.
 * The message (without its wrapping) is cut where a sentence ends, or before a clause that ends in 呢,
 * into exactly two parts that each ask something; anything else is one question. Two figures of one
 * sentence (总额是多少，增长了多少) stay one question: the figure picker keeps both.
 */
const ASKS = /多少|(?<![好这那十])几(?![乎经])|哪些|哪个|哪几|哪里|哪儿|什么|啥|吗|呢|是否|能不能|能否|有没有|会不会|是不是|要不要|怎么|如何|怎样|何时|多久|多大|多长|多高|[不没](?:[?？!！。]*)$|\b(?:how|what|which|when|where|whether|is|are|does|do|will)\b/i;
const SENTENCE_END = /[?？!！。;；]+/;
/** A second clause that goes on about the first one's subject (分别投资多少, 增长了多少, 占比多少). */
const GOES_ON = /^(?:计划|年度|预计|力争|总|投资|投入|完成|实现|带动|面积|规模|金额|资金|产值|人数|数量|比例|比重|分别|各|都|又|并|且|还|同时|其中|具体|一共|总共|共|累计|合计|比|占|同比|增长|增加|增幅|增速|下降|提高|达到|是|为|有|要|能|其|它|这|那|怎么|如何|多少|几)/;
/** A和B各是多少 / A、B分别多少: the things before and after 和 and the question after 各. */
const EACH = /^(.{2,24}?)(?:和|与|以及|及)(.{2,20}?)(?:各|分别)((?:是|为|有|定的|定了|定为|要|增长|完成|达到)?(?:多少|几)[\p{Script=Han}]{0,3})$/u;

export function questionParts(text: string): [string, string] | undefined {
  const sentences = text.split(SENTENCE_END).map((s) => s.trim().replace(/^[,，、\s]+|[,，、\s]+$/g, '')).filter(Boolean);
  let parts = sentences;
  if (parts.length === 1) {
    const one = parts[0]!;
    // 今年农村改厕任务和新改建农村公路各是多少: each thing with the question.
    const each = EACH.exec(one);
    if (each) return [`${each[1]}${each[3]}`, `${each[2]}${each[3]}`];
    // 今年新建改建几所,幼儿园呢: the last clause ends in 呢 and the clause before asks too; 浓度下降多少、
    // 优良天数多了几天: two clauses that each ask, the second about a thing of its own.
    const m = /^(.+?[^,，、]+)[,，、]\s*([^,，、]{1,20}呢)$/u.exec(one) ?? /^(.+?[^,，、]+)[,，、]\s*([^,，、]{2,24})$/u.exec(one);
    if (!m || (!m[2]!.endsWith('呢') && (GOES_ON.test(m[2]!) || !ASKS.test(m[1]!)))) return undefined;
    parts = [m[1]!, m[2]!];
  }
  const asking = parts.filter((p) => ASKS.test(p));
  if (asking.length !== 2) return undefined;
  // Context before the first question (今年找工作的人多,…) stays with it.
  const first = parts.slice(0, parts.indexOf(asking[0]!) + 1).join(',');
  return [first, asking[1]!];
}
