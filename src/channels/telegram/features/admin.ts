import { Composer, type Context } from 'grammy';
import { IngestError } from '../../../ingest/types.ts';
import { describeAdded } from '../../../ingest/summary.ts';
import { messages } from '../messages.ts';
import { renderPlain } from '../render.ts';
import { isGroup, sendChunks } from '../send.ts';
import { CHANNEL, isAdmin, type Services } from '../services.ts';

/** The Bot API lets a bot download files up to 20 MB. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 60_000;
/** Outline lines shown after an upload; the whole outline is one /outline away. */
const OUTLINE_LINES = 25;

/**
 * Reports management in private chat, for users in ADMIN_IDS: a document (DOCX, PDF, HTML, TXT)
 * is downloaded, added and made live without a restart; the reply says what was read from it.
 * `/remove ID` removes a report. Anyone else gets a short refusal and nothing is stored. In groups
 * documents are left to the other features (members share files there all day).
 */
export function admin(s: Services, api: { token: string; fileRoot: string }): Composer<Context> {
  const composer = new Composer<Context>();
  const deps = s.admin;

  composer.on('message:document', async (ctx, next) => {
    if (isGroup(ctx) || !deps) return next();
    if (!isAdmin(s, ctx.from?.id)) {
      s.logger.info({ user: ctx.from?.id }, 'telegram document from a non-admin refused');
      return void (await sendChunks(ctx, [renderPlain(messages.admin.onlyAdmins)]));
    }
    const doc = ctx.message.document;
    const name = doc.file_name ?? 'report';
    if ((doc.file_size ?? 0) > MAX_DOWNLOAD_BYTES) {
      return void (await sendChunks(ctx, [renderPlain(messages.admin.tooLarge(MAX_DOWNLOAD_BYTES / 1024 / 1024))]));
    }
    await sendChunks(ctx, [renderPlain(messages.admin.reading(name))]);
    let bytes: Uint8Array;
    try {
      const file = await ctx.getFile();
      if (!file.file_path) throw new Error('no file_path');
      bytes = await download(`${api.fileRoot}/file/bot${api.token}/${file.file_path}`);
    } catch (err) {
      s.logger.warn({ err: (err as Error)?.message, user: ctx.from?.id }, 'telegram document download failed');
      return void (await sendChunks(ctx, [renderPlain(messages.admin.downloadFailed)]));
    }
    try {
      const added = await deps.library.add(name, bytes);
      s.logger.info({ user: ctx.from?.id, id: added.id, file: name, format: added.format }, `report added by a Telegram admin: ${added.title}`);
      await sendChunks(ctx, [renderPlain(describeAdded(added, { outline: OUTLINE_LINES }).join('\n'))]);
      const outcome = await deps.reload('telegram upload');
      await sendChunks(ctx, [renderPlain(outcome === 'failed' ? messages.admin.saved : messages.admin.live(added.title))]);
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      s.logger.info({ user: ctx.from?.id, file: name, reason: err.reason, detail: err.message }, 'telegram document not added');
      s.metrics?.errors.inc({ channel: CHANNEL, kind: `ingest-${err.reason}` });
      await sendChunks(ctx, [renderPlain(err.userMessage)]);
    }
  });

  composer.command('remove', async (ctx) => {
    if (isGroup(ctx) || !deps || !isAdmin(s, ctx.from?.id)) {
      return void (await sendChunks(ctx, [renderPlain(messages.admin.onlyAdmins)]));
    }
    const id = ctx.match.trim();
    if (!id) return void (await sendChunks(ctx, [renderPlain(messages.admin.removeUsage)]));
    try {
      const removed = await deps.library.remove(id);
      s.logger.info({ user: ctx.from?.id, id }, `report removed by a Telegram admin: ${removed.title}`);
      const outcome = await deps.reload('telegram remove');
      await sendChunks(ctx, [renderPlain(outcome === 'failed' ? messages.admin.saved : messages.admin.removed(removed.title))]);
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      await sendChunks(ctx, [renderPlain(err.userMessage)]);
    }
  });

  return composer;
}

/** Downloads a file from the Bot API, refusing more than the Bot API's own limit. */
async function download(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok || !res.body) throw new Error(`download answered ${res.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_DOWNLOAD_BYTES) {
      await reader.cancel();
      throw new Error('download larger than the Bot API limit');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
