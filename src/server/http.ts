import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
// Types c.get('requestId') for every context (module augmentation of hono's ContextVariableMap).
import type {} from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { apiMessages, type ApiErrorCode } from './messages.ts';

/** The error JSON of every /api route: `{ error: { code, message }, requestId? }`. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
  requestId?: string;
}

const defaultMessages: Partial<Record<ApiErrorCode, string>> = {
  question_empty: apiMessages.questionEmpty,
  question_not_text: apiMessages.questionNotText,
  question_too_long: apiMessages.questionTooLong,
  invalid_json: apiMessages.invalidJson,
  invalid_body: apiMessages.invalidBody,
  unsupported_media_type: apiMessages.unsupportedMediaType,
  payload_too_large: apiMessages.payloadTooLarge,
  not_found: apiMessages.notFound,
  method_not_allowed: apiMessages.methodNotAllowed,
  internal_error: apiMessages.internal,
  feedback_unavailable: apiMessages.feedbackUnavailable,
};

export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: ApiErrorCode,
  message?: string,
  headers: Record<string, string> = {},
): Response {
  const body: ApiErrorBody = { error: { code, message: message ?? defaultMessages[code] ?? apiMessages.internal } };
  if (status >= 500) {
    const id = c.get('requestId');
    if (id) body.requestId = id;
  }
  return c.json(body, status, { 'Cache-Control': 'no-store', ...headers });
}

/**
 * The client's address for rate limiting and the hashed user id. By default the socket's peer
 * address; with `trustProxy` (only behind exactly one trusted reverse proxy that sets it) the
 * rightmost X-Forwarded-For entry, i.e. the address that proxy saw.
 */
export function clientAddress(c: Context, trustProxy = false): string | undefined {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // No node socket (app.request() in tests without bindings).
    return undefined;
  }
}

/** `application/json`, with or without parameters such as charset. */
export function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}
