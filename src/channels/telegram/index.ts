export { createTelegramBot, type TelegramDeps } from './bot.ts';
export { startTelegram, type RunningTelegram, type StartOptions } from './start.ts';
