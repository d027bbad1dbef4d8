import type { Lexicon } from '../corpus/lexicon.ts';
import { reportOf } from '../corpus/load.ts';
import { foldWidth } from '../corpus/text.ts';

/** Sentences of a text for comparing two extractions: width folded, white space removed, split after 。!?; */
export function comparableSentences(paragraphs: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paragraphs) {
    const folded = foldWidth(p).replace(/\s+/g, '');
    for (const s of folded.split(/(?<=[。!?;])/)) if (s) out.push(s);
  }
  return out;
}

export interface Agreement {
  /** Sentences of the reference text. */
  reference: number;
  /** Of those, how many the candidate holds identically (each counted once). */
  matched: number;
  ratio: number;
  /** A few reference sentences the candidate lacks, for reading. */
  missing: string[];
}

/**
 * How much of a reference extraction (the `.txt` of a report) another extraction (its DOCX, PDF or
 * web page) reproduces, sentence for sentence after normalisation.
 */
export function sentenceAgreement(reference: readonly string[], candidate: readonly string[]): Agreement {
  const pool = new Map<string, number>();
  for (const s of comparableSentences(candidate)) pool.set(s, (pool.get(s) ?? 0) + 1);
  const ref = comparableSentences(reference);
  let matched = 0;
  const missing: string[] = [];
  for (const s of ref) {
    const n = pool.get(s) ?? 0;
    if (n > 0) {
      matched++;
      pool.set(s, n - 1);
    } else if (missing.length < 5) missing.push(s);
  }
  return { reference: ref.length, matched, ratio: ref.length ? matched / ref.length : 1, missing };
}

/**
 * The paragraphs the engine serves from a report's text: page chrome and boilerplate the parser
 * drops are left out, so two extractions are compared on what can be quoted, not on toolbar words.
 */
export function servedParagraphs(text: string, lexicon: Pick<Lexicon, 'gazetteer' | 'chrome'>): string[] {
  return reportOf('report.txt', text, {}, lexicon).paragraphs.map((p) => p.text);
}
