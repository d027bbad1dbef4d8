export { createTelegramBot, type TelegramDeps } from './bot.ts';
export {
  connectTelegram,
  startTelegram,
  NO_SECRET_WARNING,
  type RunningTelegram,
  type StartOptions,
  type TelegramChannel,
  type TelegramStatus,
} from './start.ts';
