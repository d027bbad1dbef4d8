import type { SearchIndex } from '../../search/store.ts';
import type { Query } from '../analyze.ts';
import type { Draft } from '../compose.ts';
import type { Ranked } from '../rank.ts';
import type { Deployment, Scope } from '../scope.ts';
import type { Intent } from '../types.ts';
import type { SentenceViews } from '../views.ts';

/** What a picker sees: the question, the ranked passages (best first), and the reports. */
export interface PickContext {
  q: Query;
  ranked: Ranked[];
  /** Passages that share enough of the question to be shown beside a refusal. */
  related: Ranked[];
  index: SearchIndex;
  views: SentenceViews;
  scope: Scope;
  deployment: Deployment;
}

/**
 * A picker decides, for one kind of question, which span of the best passages answers, or refuses
 * with its own reason (no figure, no date, no place …). Ranked is never empty when a picker runs.
 */
export type Picker = (ctx: PickContext) => Draft;

export type Pickers = Record<Intent, Picker>;
