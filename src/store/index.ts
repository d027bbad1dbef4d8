export {
  Store,
  hashUser,
  type QueryRecord,
  type FeedbackRecord,
  type Vote,
  type CountedQuestion,
  type FeedbackCounts,
} from './store.ts';
export {
  openQueryLog,
  type QueryLog,
  type QueryLogOptions,
  type QueryLogFailure,
  type ChannelStore,
} from './query-log.ts';
export type { QueryLogReader } from './backend.ts';
export { PostgresBackend, migrate, MIGRATIONS, redactUrl } from './postgres.ts';
