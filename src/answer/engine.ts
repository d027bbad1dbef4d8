import { performance } from 'node:perf_hooks';
import { loadLexicon, type Lexicon } from '../corpus/lexicon.ts';
import { parseSource, readReportSources, type ReportSource } from '../corpus/load.ts';
import type { Period, Report, Section } from '../corpus/types.ts';
import type { Region } from '../corpus/regions.ts';
import { IndexError } from '../errors.ts';
import { LocalHashEmbeddings } from '../search/embeddings.ts';
import type { RetrievalWeights } from '../search/retrieve.ts';
import {
  buildIndex,
  cleanIndexLeftovers,
  loadIndex,
  saveIndex,
  sha256,
  type IdentifiedEmbeddings,
  type IndexIdentity,
  type SearchIndex,
  type StoredParts,
  usableParts,
} from '../search/store.ts';
import { createTokenizer, type Tokenizer } from '../search/tokenizer.ts';
import { readCache, writeCache } from '../search/caches.ts';
import type { AnalyzeContext } from './analyze.ts';
import { loadCues, loadEntityKinds } from './cues.ts';
import { loadBroadAsks } from './pick/broad.ts';
import { answerQuestion } from './pipeline.ts';
import { examplesFor } from './examples.ts';
import { exampleQuestions, messages } from './messages.ts';
import type { Deployment } from './scope.ts';
import { SentenceViews } from './views.ts';
import { createVocabulary } from './vocabulary.ts';
import { extractTargets, indicatorTable } from '../targets/extract.ts';
import { progressOf, progressYears, type Progress } from '../targets/progress.ts';
import type { TargetView } from '../targets/table.ts';
import { askedIndicator } from './compare.ts';
import { followUp, type FollowUp, type TurnContext } from './followup.ts';
import type { Answer, AskOptions, DocumentInfo, OutlineNode, ParagraphView } from './types.ts';

/** The smallest logging surface the engine needs (pino fits). */
export interface EngineLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface EngineOptions {
  reportsDir: string;
  dictDir: string;
  indexDir: string;
  logger?: EngineLogger;
  /** Replaces the local embedder (e.g. a neural one); its `id` goes into the index manifest. */
  embeddings?: (parts: { tokenizer: Tokenizer; lexicon: Lexicon }) => IdentifiedEmbeddings;
  /** Rebuild even when the saved index is current. */
  rebuild?: boolean;
  /** Do not write the index to disk (benchmarks, read-only deployments). */
  readOnly?: boolean;
  onProgress?: (done: number, total: number) => void;
  weights?: RetrievalWeights;
  /** The region a question that names none is about (DEFAULT_REGION); else the only one, else all. */
  defaultRegion?: string;
  /**
   * The reports as PostgreSQL holds them (SEARCH_BACKEND=postgres), in place of the reports
   * directory, with each report's part and vectors: the index is assembled from them (the index
   * directory is then this replica's cache of them).
   */
  stored?: { sources: ReportSource[]; parts: StoredParts };
}

/** The tokenizer and embedder every index of these reports is cut and embedded with. */
export interface SearchTools {
  tokenizer: Tokenizer;
  embeddings: IdentifiedEmbeddings;
  identity: IndexIdentity;
}

/**
 * Builds the tokenizer (stock dictionary, domain words, the names the reports quote) and the embedder
 * for a set of reports, and what an index of them is built from. The engine answers with these; a
 * report prepared for PostgreSQL is cut with the same.
 */
export function searchTools(
  lexicon: Lexicon,
  sources: ReportSource[],
  reports: Report[],
  options: { lookup?: ReturnType<typeof readCache.segmenter>; embeddings?: EngineOptions['embeddings'] } = {},
): SearchTools {
  const baseWords = [...lexicon.dictionary, ...lexiconTerms(lexicon)];
  const quoted = quotedTerms(reports);
  const tokenizer = createTokenizer({ words: [...baseWords, ...quoted], ...(options.lookup ? { lookup: options.lookup } : {}) });
  const embeddings =
    options.embeddings?.({ tokenizer, lexicon }) ??
    new LocalHashEmbeddings({ tokenizer, synonymGroups: lexicon.synonymGroups });
  const identity: IndexIdentity = {
    sources: sources.map((s) => ({ file: s.file, sha256: sourceSha(s) })),
    lexicon: lexicon.hash,
    tokenizer: tokenizer.id,
    embedder: embeddings.id,
    segmenter: { base: sha256(baseWords.join('\n')).slice(0, 16), quoted: quoted.map((l) => l.split(' ')[0]!) },
  };
  return { tokenizer, embeddings, identity };
}

/** What a report's index entry is keyed by: its text and its metadata. */
export function sourceSha(s: Pick<ReportSource, 'text' | 'meta'>): string {
  return sha256(`${s.text}\u0000${JSON.stringify(s.meta)}`);
}

/** What a channel may use besides `ask`: the outline, paragraphs, document info and examples. */
export type ChannelEngine = Pick<Engine, 'outline' | 'paragraph' | 'info' | 'examples' | 'examplesFor' | 'findReport' | 'targets' | 'progress' | 'indicatorOf'>;

export interface EngineInfo {
  documents: DocumentInfo[];
  units: number;
  paragraphs: number;
  embedder: string;
  indexBuiltAt: string;
  /** Whether this start built the index (missing, stale or corrupt) rather than loading it. */
  rebuilt: boolean;
  rebuildReason?: string;
  startMs: number;
  /** What the deployment holds, in one line (市北区2025年政府工作报告; 27个地区的28份政府工作报告). */
  title: string;
  /** The region questions that name none are about, when there is one. */
  defaultRegion?: string;
}

/**
 * The answer engine: one `ask()` for every channel. Built once per process; answering is in-process
 * and synchronous apart from the vector look-up, a few milliseconds.
 *
 * ```ts
 * const engine = await createEngine({ reportsDir: 'data/reports', dictDir: 'data/dict', indexDir: 'data/index' });
 * const a = await engine.ask('今年新增多少托位');
 * a.answer; // 增加普惠托位300个,每千人口托位数达到4.6个。
 * ```
 */
export interface Engine {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  outline(): OutlineNode[];
  paragraph(docId: string, paragraph: number): ParagraphView | undefined;
  readonly info: EngineInfo;
  /** Example questions for the deployment (its default region, or a few regions by name). */
  readonly examples: readonly string[];
  /** Example questions one report answers. */
  examplesFor(docId: string): readonly string[];
  /**
   * A report by id, or the newest report of a region named in any usual form (浙江, 浙江省, Zhejiang);
   * undefined when nothing loaded matches.
   */
  findReport(idOrRegion: string): DocumentInfo | undefined;
  /**
   * Every quantified target and result of the loaded reports (今年目标, 去年完成, 五年目标, 五年完成),
   * one row per figure, each with the sentence it stands in.
   */
  targets(): readonly TargetView[];
  /**
   * Did a loaded region's targets come true: for each year (or the one asked) with the report that set
   * its targets or the one that states its results loaded, the join of the two (see targets/progress.ts),
   * newest year first.
   */
  progress(region: string, year?: number): Progress[];
  /** The indicator (canonical name) words name: GDP, 就业, 城镇新增就业 …; undefined when none. */
  indicatorOf(words: string): string | undefined;
  /** Reads a message against the last answered question of its conversation (去年呢, 山东呢). */
  followUp(message: string, previous: TurnContext | undefined): FollowUp;
  /** Internals for benchmarks and tests of the engine itself; channels must not use them. */
  readonly internals: { index: SearchIndex; tokenizer: Tokenizer; lexicon: Lexicon; ctx: AnalyzeContext };
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const started = performance.now();
  const log = options.logger;
  const lexicon = loadLexicon(options.dictDir);
  const sources = options.stored ? options.stored.sources : readReportSources(options.reportsDir, lexicon);
  const reports = sources.map((s) => parseSource(s, lexicon));
  // The stock dictionary sorted for lookup, saved beside the index: with it a question is cut
  // without building the whole dictionary (see search/segmenter.ts).
  const lookup = readCache.segmenter(options.indexDir);
  const { tokenizer, embeddings, identity } = searchTools(lexicon, sources, reports, {
    ...(lookup ? { lookup } : {}),
    ...(options.embeddings ? { embeddings: options.embeddings } : {}),
  });
  // A process that keeps running (a server) builds the whole dictionary soon after start; a one-shot
  // answer has exited by then.
  if (lookup) setTimeout(() => tokenizer.prepare(), 2000).unref();
  // Reports from PostgreSQL: the index directory is this replica's cache of them. It is loaded when
  // it holds exactly these reports; otherwise it lends what it holds unchanged (the vectors when
  // reports were only added), PostgreSQL the rest, as an index directory does for the memory backend.

  if (!options.readOnly) {
    const removed = cleanIndexLeftovers(options.indexDir);
    if (removed.length) log?.info({ removed }, 'removed what an interrupted index save left behind');
  }
  let index: SearchIndex | undefined;
  let rebuildReason: string | undefined = options.rebuild ? 'rebuild requested' : undefined;
  if (!options.rebuild) {
    try {
      index = await loadIndex(options.indexDir, reports, identity, embeddings);
      await checkDimensions(index, embeddings, options.indexDir);
    } catch (err) {
      if (!(err instanceof IndexError)) throw err;
      index = undefined;
      rebuildReason = err.reason;
      // No index yet (the first start) and an index of other reports (after an add or a remove) are
      // normal, not faults; only a damaged one deserves a warning.
      if (err.kind === 'missing') log?.info({ dir: options.indexDir }, 'no index yet, building it');
      else if (err.kind === 'stale') log?.info({ dir: options.indexDir, reason: err.reason }, `the index is out of date (${err.reason}), updating it`);
      else log?.warn({ dir: options.indexDir, reason: err.reason }, 'index unusable, rebuilding');
    }
  }
  if (!index) {
    const t = performance.now();
    index = await buildIndex({
      reports,
      tokenizer,
      embeddings,
      identity,
      // The index being replaced lends what it holds unchanged; a rebuild asked for starts afresh.
      ...(options.rebuild ? {} : { previous: options.indexDir }),
      ...(options.stored ? { stored: usableParts(options.stored.parts, identity) } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (!options.readOnly) {
      try {
        await saveIndex(index, options.indexDir);
      } catch (cause) {
        log?.error({ dir: options.indexDir, err: cause }, 'could not save the index; serving it from memory');
      }
    }
    log?.info({ dir: options.indexDir, units: index.units.length, ms: Math.round(performance.now() - t) }, 'index built');
  }

  // An exact phrase check is cheap on one report; on large collections the bigram check stands in.
  const joined = index.paragraphText.join('\n');
  // The sound table (for typos) is saved beside the index once built; read back, it costs nothing.
  const sounds = readCache.sounds(options.indexDir, index.manifest.createdAt);
  const vocabulary = createVocabulary(index.sentenceIndex, joined.length <= 2_000_000 ? joined : undefined, sounds);
  if (!options.readOnly) {
    // A save replaces the index directory whole: the lookup read at start goes back beside the new index.
    if (!lookup || rebuildReason !== undefined) writeCache.segmenter(options.indexDir, lookup, log);
    if (!sounds) {
      const createdAt = index.manifest.createdAt;
      // Small collections build it at once; large ones in the background, so start stays fast.
      const save = (): void => writeCache.sounds(options.indexDir, createdAt, vocabulary.soundTable(), log);
      if (joined.length <= 200_000) {
        vocabulary.warm();
        save();
      } else void vocabulary.warmInBackground().then(save);
    }
  } else if (!sounds) {
    if (joined.length <= 200_000) vocabulary.warm();
    else void vocabulary.warmInBackground();
  }
  const ctx: AnalyzeContext = { tokenizer, lexicon, vocabulary, cues: loadCues(options.dictDir), broad: loadBroadAsks(options.dictDir), entities: loadEntityKinds(options.dictDir), ownPlaces: ownPlaces(reports, lexicon) };
  const regions = [...new Set(reports.map((r) => r.meta.region))];
  const periodsOf = reports.map((r) => new Set<Period>(r.paragraphs.map((p) => p.period)));
  // DEFAULT_REGION; else the only region; else the one that contains all the others (a city with its
  // districts); else the only region with a report of the newest year (this year's report beside older ones).
  const newestYear = Math.max(...reports.map((r) => r.meta.year));
  const newestRegions = [...new Set(reports.filter((r) => r.meta.year === newestYear).map((r) => r.meta.region))];
  const defaultRegion = options.defaultRegion && regions.some((r) => r === options.defaultRegion || lexicon.gazetteer.within(r, options.defaultRegion!))
    ? options.defaultRegion
    : regions.length === 1
      ? regions[0]
      : regions.find((r) => regions.every((o) => lexicon.gazetteer.within(o, r))) ?? (newestRegions.length === 1 ? newestRegions[0] : undefined);
  if (options.defaultRegion && defaultRegion !== options.defaultRegion) {
    log?.warn({ region: options.defaultRegion, loaded: regions }, 'DEFAULT_REGION names no loaded report; questions that name no place search all reports');
  }
  const views = new SentenceViews(index, (text) => tokenizer.tag(text));
  const searchIndex = index;
  const newestOf = (region: string): Report | undefined =>
    reports.filter((r) => r.meta.region === region).sort((a, b) => b.meta.year - a.meta.year)[0];
  const exampleCache = new Map<string, string[]>();
  const examplesOf = (r: Report): string[] => {
    let list = exampleCache.get(r.meta.id);
    if (!list) exampleCache.set(r.meta.id, (list = examplesFor(r)));
    return list.length ? list : [...exampleQuestions];
  };
  const deploymentExamples = ((): string[] => {
    const home = defaultRegion ? newestOf(defaultRegion) : undefined;
    if (home) return examplesOf(home);
    // Several regions and none by default: a question must name its place, so the examples do.
    return regions.slice(0, 3).flatMap((region) => examplesFor(newestOf(region)!, { place: lexicon.gazetteer.shortName(region) }).slice(0, 2));
  })();
  const info: EngineInfo = {
    documents: reports.map((r, i) => ({
      id: r.meta.id,
      title: r.meta.title,
      region: r.meta.region,
      year: r.meta.year,
      kind: r.meta.kind,
      ...(r.meta.level ? { level: r.meta.level } : {}),
      ...(r.meta.date ? { date: r.meta.date } : {}),
      ...(r.meta.file ? { file: r.meta.file } : {}),
      periods: [...periodsOf[i]!].filter((p) => p !== 'front'),
      paragraphs: r.paragraphs.length,
    })),
    units: index.units.length,
    paragraphs: index.paragraphs.length,
    embedder: embeddings.id,
    indexBuiltAt: index.manifest.createdAt,
    rebuilt: rebuildReason !== undefined,
    ...(rebuildReason ? { rebuildReason } : {}),
    startMs: Math.round(performance.now() - started),
    title:
      reports.length === 1
        ? reports[0]!.meta.title
        : regions.length === 1
          ? messages.regionYearsTitle(regions[0]!, [...new Set(reports.map((r) => r.meta.year))].sort())
          : messages.deploymentTitle(reports.length, regions.length),
    ...(defaultRegion ? { defaultRegion } : {}),
  };

  let targetRows: TargetView[] | undefined;
  const deployment: Deployment = {
    reports: reports.map((r, i) => ({ meta: r.meta, periods: periodsOf[i]! })),
    gazetteer: lexicon.gazetteer,
    ...(defaultRegion ? { defaultRegion } : {}),
    title: info.title,
    examples: (indexes) => (indexes.length === 1 ? examplesOf(reports[indexes[0]!]!) : deploymentExamples),
  };

  return {
    info,
    examples: deploymentExamples,
    examplesFor: (docId) => {
      const r = reports.find((x) => x.meta.id === docId);
      return r ? examplesOf(r) : deploymentExamples;
    },
    findReport(idOrRegion) {
      const key = idOrRegion.trim();
      const byId = info.documents.find((d) => d.id === key);
      if (byId) return byId;
      const g = lexicon.gazetteer;
      const mentions = g.find(key.toLowerCase());
      const named = [key, ...mentions.map((m) => m.region.name), ...ctx.ownPlaces.filter((o) => o.form === key.toLowerCase() || o.form === key).map((o) => o.region.name)];
      const region = regions.find((r) => named.includes(r));
      const newest = region ? newestOf(region) : undefined;
      return newest ? info.documents.find((d) => d.id === newest.meta.id) : undefined;
    },
    internals: { index, tokenizer, lexicon, ctx },
    targets: () => (targetRows ??= targetViews(reports, lexicon)),
    progress: (region, year) => {
      const rows = (targetRows ??= targetViews(reports, lexicon));
      return progressYears(region, reports)
        .filter((y) => year === undefined || y === year)
        .map((y) => progressOf(region, y, reports, rows));
    },
    indicatorOf: (words) => askedIndicator(words, lexicon),
    followUp: (message, previous) => followUp(message, previous, { gazetteer: lexicon.gazetteer, own: ctx.ownPlaces }),
    async ask(question, askOptions = {}) {
      const t0 = performance.now();
      const answer = await answerQuestion(String(question ?? ''), askOptions, {
        index: searchIndex,
        ctx,
        deployment,
        embeddings,
        views,
        ...(options.weights ? { weights: options.weights } : {}),
        compare: { deployment, reports, lexicon, targets: () => (targetRows ??= targetViews(reports, lexicon)) },
        // Over the index's own normalised paragraphs: a term, or pieces that stand in one paragraph.
        writes: (indexes, term) => {
          const pieces = typeof term === 'string' ? [term] : term;
          return indexes.some((i) => reports[i]!.paragraphs.some((p) => pieces.every((t) => searchIndex.paragraphText[searchIndex.paragraphOf(i, p.index)]!.includes(t))));
        },
        onDenseError: (err) => log?.error({ err: (err as Error)?.message ?? String(err) }, 'dense retrieval failed; answering from the lexical index'),
      });
      answer.latencyMs = Math.round((performance.now() - t0) * 100) / 100;
      return answer;
    },
    outline: () => outlineOf(reports),
    paragraph(docId, paragraph) {
      const report = reports.find((r) => r.meta.id === docId);
      const p = report?.paragraphs[paragraph];
      if (!report || !p) return undefined;
      return {
        docId,
        doc: report.meta.title,
        paragraph,
        section: p.sectionPath.join(' › '),
        ...(p.topic ? { topic: p.topic } : {}),
        text: p.text,
      };
    },
  };
}

/**
 * A remote embedder can change under the same model name (another quantisation, another server): its
 * vectors must still have the size the index was built with, else the index is rebuilt.
 */
async function checkDimensions(index: SearchIndex, embeddings: IdentifiedEmbeddings, dir: string): Promise<void> {
  const expected = index.vectors.args.numDimensions;
  if (!expected || !('expectDimensions' in embeddings)) return;
  const probe = await embeddings.embedQuery('维度检查');
  if (probe.length !== expected) throw new IndexError(dir, `embedder dimensions changed (${expected} → ${probe.length})`);
  (embeddings as IdentifiedEmbeddings & { expectDimensions(n: number): void }).expectDimensions(expected);
}

/** Quoted names in a report (“就享家”, “北卫健康云”) are words: the segmenter must keep them whole. */
function quotedTerms(reports: Report[]): string[] {
  const out = new Set<string>();
  for (const r of reports) {
    for (const m of r.text.matchAll(/[“「《]([^”」》\n]{2,12})[”」》]/g)) {
      const term = m[1]!;
      if (/^[\p{Script=Han}A-Za-z0-9·]+$/u.test(term) && /\p{Script=Han}/u.test(term)) out.add(`${term} 2000 nz`);
    }
  }
  return [...out].sort();
}

/** Every Chinese term of the synonym groups is a word too, so 社零 or 托育名额 segment whole. */
function lexiconTerms(lexicon: Lexicon): string[] {
  const out = new Set<string>();
  for (const group of lexicon.synonymGroups) {
    for (const term of group) if (/^\p{Script=Han}{2,12}$/u.test(term)) out.add(`${term} 1000 n`);
  }
  return [...out].sort();
}

/** Forms of the loaded regions the gazetteer does not list (市北 for 市北区), so questions that use them scope. */
function ownPlaces(reports: Report[], lexicon: Lexicon): Array<{ form: string; region: Region }> {
  const out: Array<{ form: string; region: Region }> = [];
  for (const name of new Set(reports.map((r) => r.meta.region))) {
    const g = lexicon.gazetteer;
    const region: Region = g.get(name) ?? { name, level: 'area', aliases: [], abbreviations: [], latin: [] };
    for (const form of [name, g.shortName(name)]) {
      if ([...form].length < 2 || g.lookup(form).includes(region)) continue;
      if (!out.some((o) => o.form === form)) out.push({ form, region });
    }
    // Romanised, for questions in English (Shibei's GDP).
    const latin = g.romanise(name);
    if (latin.length >= 4 && !region.latin.includes(latin)) out.push({ form: latin, region });
  }
  // The short names of the loaded regions' neighbours and divisions (安国 beside 清苑区, 竞秀 in 保定市),
  // which the gazetteer does not list: a question about them is about another place, not the loaded one.
  const loaded = new Set(reports.map((r) => r.meta.region));
  for (const name of loaded) {
    const g = lexicon.gazetteer;
    const parent = g.get(name)?.parent;
    const near = [...(parent ? g.children(parent) : []), ...g.children(name)];
    for (const region of near) {
      if (loaded.has(region.name) || region.level !== 'county') continue;
      const short = g.shortName(region.name);
      const latin = g.romanise(region.name);
      if (latin.length >= 4 && !region.latin.length && !out.some((o) => o.form === latin)) out.push({ form: latin, region });
      if ([...short].length < 2 || short === region.name || g.lookup(short).length || out.some((o) => o.form === short)) continue;
      out.push({ form: short, region });
    }
  }
  return out;
}

function targetViews(reports: Report[], lexicon: Lexicon): TargetView[] {
  const table = indicatorTable(lexicon);
  return reports.flatMap((report) =>
    extractTargets(report, table).map((r): TargetView => ({
      report: r.report,
      title: report.meta.title,
      region: r.region,
      year: r.year,
      years: r.years,
      reportYear: r.reportYear,
      kind: r.kind,
      indicator: r.indicator,
      wording: r.wording,
      value: r.value,
      ...(r.high !== undefined ? { high: r.high } : {}),
      unit: r.unit,
      qualifier: r.qualifier,
      growth: r.growth,
      main: r.main,
      text: r.text,
      span: r.span,
      quote: report.sentences[r.sentence]!.text,
      paragraph: r.paragraph,
      section: report.paragraphs[r.paragraph]!.sectionPath.join(' › '),
    })),
  );
}

function outlineOf(reports: Report[]): OutlineNode[] {
  return reports.map((report) => {
    const node = (s: Section): OutlineNode => ({
      docId: report.meta.id,
      title: s.title,
      level: s.level,
      ...(s.heading >= 0 ? { paragraph: s.heading } : {}),
      children: [
        ...s.children.map((c) => node(report.sections[c]!)),
        ...s.paragraphs
          .map((i) => report.paragraphs[i]!)
          .filter((p) => p.topic)
          .map((p): OutlineNode => ({ docId: report.meta.id, title: p.topic!, level: 3, paragraph: p.index, children: [] })),
      ],
    });
    return {
      docId: report.meta.id,
      title: report.meta.title,
      level: 0,
      children: report.sections.filter((s) => s.level === 1).map(node),
    };
  });
}

