import type { ReportLibrary } from '../../ingest/library.ts';
import { describeAdded } from '../../ingest/summary.ts';
import { IngestError } from '../../ingest/types.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { hashUser } from '../../store/store.ts';
import type { InboundMessage } from './conversation.ts';
import type { CustomerService, MediaDownloader } from './customer-service.ts';
import { MediaTooLargeError, WechatApiError, type Platform } from './errors.ts';
import { messages } from './messages.ts';
import { MAX_MESSAGE_BYTES, paginate } from './render.ts';

/**
 * Reports added from WeCom: a member listed in WECOM_ADMIN_IDS sends the report's file (DOCX, PDF,
 * HTML, TXT, MD) to the app. The callback's file message carries a MediaId; the file is fetched with
 * the app's access token (GET /cgi-bin/media/get), added to the reports folder exactly as a Telegram
 * admin's upload is (the library's checks, under the writers' lock) and made live through the
 * reloader. The passive reply says the file is being read; what was read, or why it could not be
 * added, follows through the app message API, since reading a PDF takes longer than the callback's
 * 5 seconds. Anyone else is refused in the passive reply and nothing is downloaded.
 *
 * Retries of a callback (the same MsgId) never reach this module twice: the conversation answers a
 * delivery once and repeats its outcome (see conversation.ts), across replicas too.
 */

/**
 * WeCom's limit for a file sent to an app (普通文件 20 MB), the same as the Bot API's for a Telegram
 * admin: the largest report PDFs are a few MB.
 */
export const MAX_MEDIA_BYTES = 20 * 1024 * 1024;
/** A file name longer than this is shortened in replies (the stored original keeps its own). */
const NAME_CHARS = 60;

/** What the server gives the channel to add reports. */
export interface UploadDeps {
  library: Pick<ReportLibrary, 'add'>;
  /** Resolves once the serving engine holds the change. */
  reload(reason: string): Promise<'swapped' | 'unchanged' | 'failed'>;
}

export interface UploadOptions extends UploadDeps {
  channel: Platform;
  /** WeCom UserIDs (WECOM_ADMIN_IDS), lower case: WeCom compares them case-insensitively. */
  admins: readonly string[];
  media: MediaDownloader;
  send: CustomerService;
  logger: Logger;
  metrics?: Metrics;
  /** Default MAX_MEDIA_BYTES. */
  maxBytes?: number;
}

export class ReportUploads {
  readonly #o: UploadOptions;
  readonly #admins: ReadonlySet<string>;

  constructor(options: UploadOptions) {
    this.#o = options;
    this.#admins = new Set(options.admins.map((id) => id.toLowerCase()));
  }

  isAdmin(user: string): boolean {
    return this.#admins.has(user.toLowerCase());
  }

  /** The passive reply to a file message; the upload itself runs in `started` (which never rejects). */
  receive(message: InboundMessage): { reply: string; started?: Promise<void> } {
    const { channel, logger } = this.#o;
    if (!this.isAdmin(message.from)) {
      logger.info({ channel, user: hashUser(channel, message.from) }, 'wecom file from a non-admin refused');
      return { reply: messages.upload.onlyAdmins };
    }
    const mediaId = message.mediaId?.trim();
    if (!mediaId) {
      logger.warn({ channel, admin: message.from }, 'wecom file message without a MediaId');
      return { reply: messages.upload.downloadFailed };
    }
    return { reply: messages.upload.reading(shortName(message.fileName)), started: this.#add(message, mediaId) };
  }

  async #add(message: InboundMessage, mediaId: string): Promise<void> {
    const text = await this.#outcome(message, mediaId).catch((err: unknown) => {
      this.#o.logger.error({ err, channel: this.#o.channel, admin: message.from }, 'wecom upload failed');
      this.#o.metrics?.errors.inc({ channel: this.#o.channel, kind: 'upload' });
      return messages.upload.failed;
    });
    try {
      // Short by design (no outline); cut rather than fail should a long title make it too long.
      await this.#o.send.sendText(message.from, paginate(text, MAX_MESSAGE_BYTES, '……')[0] ?? text, message.agentId);
    } catch (err) {
      this.#o.logger.error({ err, channel: this.#o.channel, admin: message.from }, 'could not send the upload result');
      this.#o.metrics?.errors.inc({ channel: this.#o.channel, kind: 'send' });
    }
  }

  /** What the admin is told: what was read and that it is live, or why nothing changed. */
  async #outcome(message: InboundMessage, mediaId: string): Promise<string> {
    const { channel, logger, metrics } = this.#o;
    const maxBytes = this.#o.maxBytes ?? MAX_MEDIA_BYTES;
    let file: { bytes: Uint8Array; name?: string };
    try {
      file = await this.#o.media.downloadMedia(mediaId, maxBytes);
    } catch (err) {
      if (err instanceof MediaTooLargeError) {
        logger.info({ channel, admin: message.from, bytes: err.bytes }, 'wecom file over the download limit');
        metrics?.errors.inc({ channel, kind: 'ingest-too-large' });
        return messages.upload.tooLarge(maxBytes / 1024 / 1024);
      }
      if (!(err instanceof WechatApiError)) throw err;
      logger.warn({ channel, admin: message.from, errcode: err.errcode, status: err.status, detail: err.message }, 'wecom file download failed');
      metrics?.errors.inc({ channel, kind: 'download' });
      return messages.upload.downloadFailed;
    }
    // The name the message gave, else the download's: it may hold the region and year, and its
    // extension tells a TXT from an MD.
    const name = message.fileName?.trim() || file.name || 'report';
    try {
      const added = await this.#o.library.add(name, file.bytes);
      logger.info({ channel, admin: message.from, id: added.id, file: name, format: added.format }, `report added by a WeCom admin: ${added.title}`);
      const outcome = await this.#o.reload('wecom upload');
      return [...describeAdded(added, { outline: 0 }), outcome === 'failed' ? messages.upload.saved : messages.upload.live(added.title)].join('\n');
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      logger.info({ channel, admin: message.from, file: name, reason: err.reason, detail: err.message }, 'wecom file not added');
      metrics?.errors.inc({ channel, kind: `ingest-${err.reason}` });
      return err.userMessage;
    }
  }
}

function shortName(name: string | undefined): string | undefined {
  // No control characters or direction overrides in a reply: a hostile name must not garble it.
  const n = name?.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (!n) return undefined;
  const chars = [...n];
  return chars.length > NAME_CHARS ? `${chars.slice(0, NAME_CHARS - 1).join('')}…` : n;
}
