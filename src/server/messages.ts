/**
 * Every user-facing sentence the HTTP API writes, in one place so the wording can be reviewed.
 * Short and polite; never a stack trace, a file path or an English exception message.
 * (The web page's own wording lives in web/messages.js.)
 */

/** Longest question the API accepts; 501–2000 characters are cut by the engine with a notice. */
export const MAX_API_QUESTION_CHARS = 2000;

/** Largest request body on /api/*. */
export const MAX_BODY_BYTES = 16 * 1024;

export const apiMessages = {
  questionEmpty: '问题不能为空',
  questionNotText: '问题必须是文字',
  questionTooLong: `问题太长(最多${MAX_API_QUESTION_CHARS}字)`,
  invalidJson: '请求内容不是有效的 JSON',
  invalidBody: '请求格式不正确,请发送 {"question": "…"}',
  unsupportedMediaType: '请使用 application/json',
  payloadTooLarge: '请求体过大',
  notFound: '没有这个页面或接口',
  paragraphNotFound: '报告中没有这一段',
  sectionNotFound: '报告中没有这一部分',
  methodNotAllowed: '不支持这种请求方式',
  rateLimited: (seconds: number) => `提问太频繁了,请${seconds}秒后再试`,
  internal: '服务暂时出了点问题,请稍后再试',
  feedbackThanks: '感谢反馈',
  feedbackUnavailable: '暂不支持反馈',
  unknownReport: '没有这份报告,可用的报告见 /api/reports',
  unknownRegion: (region: string) => `没有${region}的报告,已加载的报告见 /api/reports`,
  badTargetKind: 'kind 只能是 target、result、five-year-target 或 five-year-result',
  badYear: 'year 应为四位年份,例如 2026',
  regionRequired: '已加载多个地区的报告,请用 region 指明地区(已加载的地区见 /api/reports)',
} as const;

/** Stable machine-readable codes of the error JSON (`{ error: { code, message }, requestId? }`). */
export type ApiErrorCode =
  | 'question_empty'
  | 'question_not_text'
  | 'question_too_long'
  | 'invalid_json'
  | 'invalid_body'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'rate_limited'
  | 'internal_error'
  | 'feedback_unavailable'
  | 'unknown_report'
  | 'unknown_region'
  | 'invalid_query'
  // The console (/api/admin).
  | 'unauthorized'
  | 'session_expired'
  | 'forbidden'
  | 'cross_site'
  | 'csrf_token'
  | 'no_file'
  | 'report_rejected'
  | 'unavailable';
