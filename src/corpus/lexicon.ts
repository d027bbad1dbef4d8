import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusError } from '../errors.ts';
import { normalizeText } from './normalize.ts';
import { createGazetteer, type Gazetteer } from './regions.ts';

/**
 * The editable language data under data/dict/: domain words for the segmenter, synonym and
 * abbreviation groups, an English glossary, question stop words and other places. Kept as data so
 * an office can extend it without touching code; its hash is part of the index manifest.
 */
export interface Lexicon {
  /** jieba dictionary lines (`word freq tag`). */
  dictionary: string[];
  /** Groups of interchangeable terms; the first is the report's own wording. */
  synonymGroups: string[][];
  /** English phrase (lower case) → Chinese search terms, longest phrase first. */
  glossary: Array<[string, string[]]>;
  stopwords: Set<string>;
  /** Administrative divisions and other places, with their aliases and how they nest. */
  gazetteer: Gazetteer;
  /** Page-chrome vocabulary (whole lines, or prefixes ending in *). */
  chrome: string[];
  /** Words of the genre, by which an added file is recognised as a work report. */
  genre: string[];
  /** Indicators targets are set for: a canonical name and the wordings reports use (data/dict/indicators.tsv). */
  indicators: Array<{ name: string; wordings: string[]; asked: string[] }>;
  hash: string;
}

export const LEXICON_FILES = ['words.txt', 'synonyms.txt', 'glossary.tsv', 'stopwords.txt', 'regions.tsv', 'places.txt', 'chrome.txt', 'genre.txt', 'indicators.tsv'] as const;

export function loadLexicon(dictDir: string): Lexicon {
  const hash = createHash('sha256');
  const read = (name: string): string[] => {
    const file = join(dictDir, name);
    if (!existsSync(file)) {
      hash.update(`${name}:missing\n`);
      return [];
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new CorpusError(file, 'cannot be read', { cause });
    }
    hash.update(`${name}:${text}\n`);
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  };

  const dictionary = read('words.txt');
  const synonymGroups = read('synonyms.txt')
    .map((l) => l.split(/[\s,，]+/).map((t) => normalizeText(t).toLowerCase()).filter(Boolean))
    .filter((g) => g.length > 1);
  const glossary = read('glossary.tsv')
    .map((l): [string, string[]] => {
      const [phrase = '', terms = ''] = l.split('\t');
      return [phrase.trim().toLowerCase(), terms.split(/\s+/).filter(Boolean)];
    })
    .filter(([p, t]) => p && t.length)
    .sort((a, b) => b[0].length - a[0].length);
  const stopwords = new Set(read('stopwords.txt').flatMap((l) => l.split(/\s+/)));
  const gazetteer = createGazetteer(read('regions.tsv'), read('places.txt'));
  const chrome = read('chrome.txt');
  const genre = read('genre.txt');
  const indicators = read('indicators.tsv')
    .map((l) => {
      const [name = '', wordings = '', asked = ''] = l.split('\t');
      return {
        name: name.trim(),
        wordings: [...new Set([name.trim(), ...wordings.split(/\s+/).filter(Boolean)])],
        asked: asked.split(/\s+/).filter(Boolean),
      };
    })
    .filter((i) => i.name);
  return { dictionary, synonymGroups, glossary, stopwords, gazetteer, chrome, genre, indicators, hash: hash.digest('hex').slice(0, 16) };
}
