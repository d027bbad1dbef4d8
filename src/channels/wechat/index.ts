export { createWechatRoutes, wechatStatus, DEFAULT_DEADLINE_MS, type PlatformStatus, type WechatRoutesDeps } from './routes.ts';
export { answerPages, paginate, renderAnswer, MAX_MESSAGE_BYTES } from './render.ts';
export { CallbackError, WechatApiError, type Platform } from './errors.ts';
export { messages as wechatMessages } from './messages.ts';
