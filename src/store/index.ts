export {
  Store,
  hashUser,
  type QueryRecord,
  type FeedbackRecord,
  type Vote,
  type CountedQuestion,
  type FeedbackCounts,
} from './store.ts';
