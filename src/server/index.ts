export { createApp, type AppDeps, type ServerApp } from './app.ts';
export { startServer, type RunningServer } from './listen.ts';
export { runWeb, VERSION, type RunningWeb, type WebExtras, type WebServices } from './main-web.ts';
export { PortInUseError, PortAccessError } from './errors.ts';
export type { ApiErrorBody } from './http.ts';
export { apiMessages, MAX_API_QUESTION_CHARS, MAX_BODY_BYTES, type ApiErrorCode } from './messages.ts';
export { RateLimiter, clientKey, retryAfterSeconds, type RateLimitDecision, type RateLimiterOptions } from './rate-limit.ts';
export type { SectionView, SectionParagraph } from './section.ts';
