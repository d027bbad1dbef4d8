import { pickFact, pickChitchat } from './fact.ts';
import { pickFigure } from './figure.ts';
import { pickList } from './list.ts';
import { pickSummary } from './summary.ts';
import { pickWhen } from './when.ts';
import { pickWhere } from './where.ts';
import type { Pickers } from './context.ts';

/** One picker per kind of question; a new Intent without a picker does not compile. */
export const PICKERS: Pickers = {
  number: pickFigure,
  cost: pickFigure,
  when: pickWhen,
  where: pickWhere,
  list: pickList,
  who: pickList,
  fact: pickFact,
  summary: pickSummary,
  chitchat: pickChitchat,
};

export type { PickContext, Picker } from './context.ts';
export { overview, sectionSummary, chaptersOf } from './summary.ts';
