import type { SharedState } from '../shared/state.ts';
import { RESET, type TurnContext } from './followup.ts';
import { messages } from './messages.ts';
import type { Answer, AskFn } from './types.ts';
import type { Engine } from './engine.ts';

/** A conversation is forgotten after ten quiet minutes. */
export const CONVERSATION_TTL_MS = 10 * 60_000;

/**
 * Conversations on top of `ask`: with a `conversationId`, a follow-up (去年呢, 山东呢, 那养老床位呢,
 * 具体有哪些) is completed from the conversation's last answered question before it is asked, and
 * the answer says how it was read (`interpretedAs`). "重新开始" or /new forgets. The context lives in
 * the shared state, so a follow-up that lands on another replica still works.
 */
export function withConversation(ask: AskFn, deps: { engine: Pick<Engine, 'followUp'>; state: SharedState }): AskFn {
  return async (question, options = {}) => {
    const id = options.conversationId;
    if (!id) return ask(question, options);
    const key = `conv:${options.channel ?? 'any'}:${id}`;
    const text = String(question ?? '');
    if (RESET.test(text.trim())) {
      await deps.state.del(key);
      return note(text, messages.conversationReset);
    }
    let previous: TurnContext | undefined;
    try {
      const raw = await deps.state.get(key);
      previous = raw ? (JSON.parse(raw) as TurnContext) : undefined;
    } catch {
      previous = undefined;
    }
    const read = deps.engine.followUp(text, previous);
    if (read.needsContext) return note(text, messages.followUpWithoutContext);
    const answer = await ask(read.question, options);
    if (answer.found && read.context) await deps.state.set(key, JSON.stringify(read.context), CONVERSATION_TTL_MS);
    if (!read.inherited.length) return answer;
    return { ...answer, question: text, ...(read.interpretedAs ? { interpretedAs: read.interpretedAs } : {}) };
  };
}

function note(question: string, text: string): Answer {
  return { question, found: false, answer: text, citations: [], latencyMs: 0, intent: 'chitchat', reason: 'chitchat', highlights: [] };
}
