import type { Message, MessageEntity } from 'grammy/types';

/**
 * Whether a group message is meant for the bot, decided from message entities, never from
 * substrings: an `@username` mention entity, a `text_mention` of the bot's user, a command addressed
 * as `/cmd@username`, or a reply to one of the bot's own messages.
 */

export interface Me {
  id: number;
  username: string;
}

type Addressable = Pick<Message, 'text' | 'caption' | 'entities' | 'caption_entities' | 'reply_to_message'>;

function entitiesOf(msg: Addressable): { text: string; entities: MessageEntity[] } {
  if (msg.text !== undefined) return { text: msg.text, entities: msg.entities ?? [] };
  return { text: msg.caption ?? '', entities: msg.caption_entities ?? [] };
}

/** The entities that name the bot itself. */
function botEntities(text: string, entities: readonly MessageEntity[], me: Me): MessageEntity[] {
  const handle = `@${me.username}`.toLowerCase();
  return entities.filter((e) => {
    const part = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === 'mention') return part === handle;
    if (e.type === 'text_mention') return e.user.id === me.id;
    if (e.type === 'bot_command') return part.endsWith(handle);
    return false;
  });
}

export function isReplyToBot(msg: Addressable, me: Me): boolean {
  return msg.reply_to_message?.from?.id === me.id;
}

/** True when the message mentions the bot or replies to it. */
export function isAddressed(msg: Addressable, me: Me): boolean {
  const { text, entities } = entitiesOf(msg);
  return isReplyToBot(msg, me) || botEntities(text, entities, me).length > 0;
}

/**
 * The question in a message: its text with the bot's mentions (and a `/cmd@bot` addressed to it)
 * removed, white space collapsed and leading punctuation left by the mention dropped. With
 * `dropCommand`, a leading command (`/ask 托位`) goes too.
 */
export function questionText(msg: Addressable, me: Me, options: { dropCommand?: boolean } = {}): string {
  const { text, entities } = entitiesOf(msg);
  const cut = botEntities(text, entities, me);
  const lead = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (options.dropCommand && lead && !cut.includes(lead)) cut.push(lead);
  cut.sort((a, b) => b.offset - a.offset);
  let out = text;
  for (const e of cut) out = `${out.slice(0, e.offset)} ${out.slice(e.offset + e.length)}`;
  return out
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[,，:：、;；]\s*/, '')
    .trim();
}
