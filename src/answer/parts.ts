/**
 * Two questions in one message (今年新建改建几所学校？幼儿园呢？ · 新增就业目标是多少人？农村劳动力转移呢？):
 * people in a chat ask them together, and an answer to the first alone leaves the second unanswered.
 * The message (without its wrapping) is cut where a sentence ends, or before a clause that ends in 呢,
 * into exactly two parts that each ask something; anything else is one question. Two figures of one
 * sentence (总额是多少，增长了多少) stay one question: the figure picker keeps both.
 */
const ASKS = /多少|几|哪些|哪个|哪几|哪里|哪儿|什么|啥|吗|呢|是否|能不能|能否|有没有|会不会|是不是|要不要|怎么|如何|怎样|何时|多久|多大|多长|多高|[不没](?:[?？!！。]*)$|\b(?:how|what|which|when|where|whether|is|are|does|do|will)\b/i;
const SENTENCE_END = /[?？!！。;；]+/;

export function questionParts(text: string): [string, string] | undefined {
  const sentences = text.split(SENTENCE_END).map((s) => s.trim().replace(/^[,，、\s]+|[,，、\s]+$/g, '')).filter(Boolean);
  let parts = sentences;
  if (parts.length === 1) {
    // 今年新建改建几所,幼儿园呢: the last clause ends in 呢 and the clause before asks too.
    const m = /^(.+?[^,，]+)[,，]\s*([^,，]{1,20}呢)$/u.exec(parts[0]!);
    if (!m) return undefined;
    parts = [m[1]!, m[2]!];
  }
  const asking = parts.filter((p) => ASKS.test(p));
  if (asking.length !== 2) return undefined;
  // Context before the first question (今年找工作的人多,…) stays with it.
  const first = parts.slice(0, parts.indexOf(asking[0]!) + 1).join(',');
  return [first, asking[1]!];
}
