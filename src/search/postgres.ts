import pg from 'pg';
import type { ReportSource } from '../corpus/load.ts';
import type { Report } from '../corpus/types.ts';
import { transaction } from '../store/postgres.ts';
import type { TargetRow } from '../targets/extract.ts';
import type { Bm25Binary } from './bm25.ts';
import type { PartBinary, StoredParts } from './store.ts';

/**
 * The search index in PostgreSQL (SEARCH_BACKEND=postgres): every report with what the engine builds
 * from it, one row set per report, so adding, replacing or removing a report is one transaction that
 * touches that report only, and every replica reads the same reports.
 *
 *   search_migrations (version, name, applied_at)
 *   search_reports  (id, file, sha256, title, region, level, year, source, structure, the part:
 *                    texts and two BM25 indexes as bytes, vectors, and what they were made with)
 *   search_units    (report_id, sentence, paragraph, period, start_at, end_at, tokens tsvector)
 *                    GIN over tokens: the engine's own terms (w:词, b:双字, n:数字) as lexemes
 *   search_targets  (report_id, n, indicator, kind, year, row jsonb)
 *   search_state    (generation): one more with every change; NOTIFY workplan_search carries it
 *
 * Migrations run at start in one transaction under an advisory lock, as for the query log.
 */

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SEARCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'search: reports, units with tokens, targets, generation',
    sql: `
      CREATE TABLE search_reports (
        id text PRIMARY KEY,
        file text NOT NULL UNIQUE,
        sha256 text NOT NULL,
        title text NOT NULL,
        region text NOT NULL,
        level text,
        year integer NOT NULL,
        source text NOT NULL,
        structure text NOT NULL,
        lexicon text NOT NULL,
        tokenizer text NOT NULL,
        segmenter text NOT NULL,
        embedder text NOT NULL,
        part_texts text NOT NULL,
        sentences_meta text NOT NULL,
        sentences_data bytea NOT NULL,
        paragraphs_meta text NOT NULL,
        paragraphs_data bytea NOT NULL,
        dim integer NOT NULL,
        vectors bytea NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX search_reports_scope ON search_reports (region, year);
      CREATE TABLE search_units (
        report_id text NOT NULL REFERENCES search_reports (id) ON DELETE CASCADE,
        sentence integer NOT NULL,
        paragraph integer NOT NULL,
        period text NOT NULL,
        start_at integer NOT NULL,
        end_at integer NOT NULL,
        tokens tsvector NOT NULL,
        PRIMARY KEY (report_id, sentence)
      );
      CREATE INDEX search_units_tokens ON search_units USING gin (tokens);
      CREATE TABLE search_targets (
        report_id text NOT NULL REFERENCES search_reports (id) ON DELETE CASCADE,
        n integer NOT NULL,
        indicator text NOT NULL,
        kind text NOT NULL,
        year integer NOT NULL,
        row jsonb NOT NULL,
        PRIMARY KEY (report_id, n)
      );
      CREATE INDEX search_targets_indicator ON search_targets (indicator, year);
      CREATE TABLE search_state (one boolean PRIMARY KEY DEFAULT true CHECK (one), generation bigint NOT NULL);
      INSERT INTO search_state (generation) VALUES (0);
    `,
  },
];

/** pg_advisory_xact_lock key of the search migrations ("wpsearch" in ASCII). */
const MIGRATION_LOCK = '8606218545726211176';
/** The channel a change is announced on. */
export const CHANGE_CHANNEL = 'workplan_search';

/** A report made ready for PostgreSQL: its source, structure, part, vectors and targets. */
export interface PreparedReport {
  source: ReportSource;
  report: Report;
  sha256: string;
  made: { lexicon: string; tokenizer: string; segmenter: string; embedder: string };
  part: PartBinary;
  dim: number;
  vectors: Float32Array;
  targets: TargetRow[];
}

export interface StoredReportRow {
  id: string;
  file: string;
  title: string;
  region: string;
  level: string | null;
  year: number;
  sha256: string;
}

/** What the engine is assembled from: the sources, and the parts made with the tools it uses now. */
export interface StoredCorpus {
  generation: number;
  sources: ReportSource[];
  parts: StoredParts;
}

/** Lexical candidates found in SQL, best first. */
export interface LexicalCandidate {
  report: string;
  sentence: number;
  rank: number;
}

export interface CandidateScope {
  reports?: string[];
  regions?: string[];
  levels?: string[];
  years?: number[];
  periods?: string[];
}

/** A source as text: its front matter's dropped lines (a Map) as pairs; the key order of meta kept (its sha256 depends on it). */
export function sourceToText(source: ReportSource): string {
  return JSON.stringify({ ...source, front: { ...source.front, dropped: [...source.front.dropped] } });
}

export function sourceFromText(text: string): ReportSource {
  const raw = JSON.parse(text) as ReportSource & { front: { dropped: Array<[number, string]> } };
  return { ...raw, front: { ...raw.front, dropped: new Map(raw.front.dropped) } };
}

/** Terms of every document of a packed BM25 index (the lexemes of its tsvector). */
export function termsByDocument(meta: Bm25Binary['meta'], data: Buffer, size: number): string[][] {
  const aligned = data.byteOffset % 4 === 0 ? data : Buffer.from(new Uint8Array(data).buffer);
  const i32 = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
  const out: string[][] = Array.from({ length: size }, () => []);
  let at = size;
  meta.terms.forEach((term, i) => {
    const count = meta.counts[i]!;
    for (let k = 0; k < count; k++) out[i32[at + k]!]?.push(term);
    at += 2 * count;
  });
  return out;
}

export class PostgresSearchStore {
  readonly pool: pg.Pool;
  #listener: pg.Client | undefined;
  #closed = false;
  readonly #url: string;

  constructor(url: string, options: { max?: number; onIdleError?: (err: Error) => void } = {}) {
    this.#url = url;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 5,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30_000,
      query_timeout: 60_000,
      keepAlive: true,
      application_name: 'workplan-bot search',
    });
    this.pool.on('error', (err) => options.onIdleError?.(err));
  }

  /** Runs the search migrations not applied yet, under a lock; returns the versions applied now. */
  migrate(): Promise<number[]> {
    return transaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS search_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM search_migrations');
      const done = new Set(rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of SEARCH_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO search_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        applied.push(m.version);
      }
      return applied;
    });
  }

  async list(): Promise<StoredReportRow[]> {
    const { rows } = await this.pool.query<StoredReportRow>('SELECT id, file, title, region, level, year, sha256 FROM search_reports ORDER BY file');
    return rows;
  }

  /** The sources only (what a change needs to cut a report with the names every report quotes). */
  async sources(): Promise<ReportSource[]> {
    const { rows } = await this.pool.query<{ source: string }>('SELECT source FROM search_reports ORDER BY file');
    return rows.map((r) => sourceFromText(r.source));
  }

  async generation(): Promise<number> {
    const { rows } = await this.pool.query<{ generation: string }>('SELECT generation FROM search_state');
    return Number(rows[0]?.generation ?? 0);
  }

  /**
   * Writes reports and removes others in one transaction: each report's rows are replaced whole (its
   * units, tokens and targets go with it), the generation moves on and every replica is told.
   * `remove` names reports to delete (a report this one replaces under another id).
   */
  async put(reports: PreparedReport[], remove: string[] = []): Promise<number> {
    return transaction(this.pool, async (client) => {
      const ids = [...new Set([...remove, ...reports.map((r) => r.source.meta.id)])];
      if (ids.length) await client.query('DELETE FROM search_reports WHERE id = ANY($1::text[])', [ids]);
      for (const r of reports) {
        // Another id under the same file name is the same report renamed.
        await client.query('DELETE FROM search_reports WHERE file = $1', [r.source.file]);
        await insertReport(client, r);
      }
      return bump(client, ids);
    });
  }

  /** Removes one report (and its units and targets); false when there was none. */
  async remove(id: string): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const { rowCount } = await client.query('DELETE FROM search_reports WHERE id = $1', [id]);
      if (!rowCount) return false;
      await bump(client, [id]);
      return true;
    });
  }

  /**
   * Every report with its part and vectors (and what they were made with), read in one snapshot;
   * the engine keeps the parts made with the tools it cuts and embeds with now.
   */
  async load(): Promise<StoredCorpus> {
    return transaction(this.pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const gen = await client.query<{ generation: string }>('SELECT generation FROM search_state');
      const { rows } = await client.query<{
        source: string;
        sha256: string;
        lexicon: string;
        tokenizer: string;
        segmenter: string;
        embedder: string;
        part_texts: string;
        sentences_meta: string;
        sentences_data: Buffer;
        paragraphs_meta: string;
        paragraphs_data: Buffer;
        dim: number;
        vectors: Buffer;
      }>(
        `SELECT source, sha256, lexicon, tokenizer, segmenter, embedder, part_texts, sentences_meta, sentences_data,
                paragraphs_meta, paragraphs_data, dim, vectors FROM search_reports`,
      );
      const sources: ReportSource[] = [];
      const parts: StoredParts = { parts: new Map(), vectors: new Map(), made: new Map() };
      for (const row of rows) {
        sources.push(sourceFromText(row.source));
        parts.made!.set(row.sha256, { lexicon: row.lexicon, tokenizer: row.tokenizer, segmenter: row.segmenter, embedder: row.embedder });
        parts.parts.set(row.sha256, {
          texts: row.part_texts,
          sentences: { meta: row.sentences_meta, data: row.sentences_data },
          paragraphs: { meta: row.paragraphs_meta, data: row.paragraphs_data },
        });
        const copy = Buffer.from(row.vectors);
        parts.vectors.set(row.sha256, new Float32Array(copy.buffer, copy.byteOffset, copy.length / 4));
      }
      // The order of the reports directory (file names, as JavaScript sorts them): the index is the same.
      sources.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      return { generation: Number(gen.rows[0]?.generation ?? 0), sources, parts };
    });
  }

  /**
   * Lexical candidates by full text search over the engine's own terms, scoped in SQL (reports,
   * regions, levels, years, periods) before ranking: the sentences holding any of the terms, ranked
   * by ts_rank, best first.
   */
  async candidates(terms: string[], scope: CandidateScope = {}, limit = 200): Promise<LexicalCandidate[]> {
    terms = terms.filter((t) => t && !t.includes('\\'));
    if (!terms.length) return [];
    const { rows } = await this.pool.query<{ report_id: string; sentence: number; rank: number }>(
      `WITH q AS (SELECT string_agg(quote_literal(t), ' | ')::tsquery AS query FROM unnest($1::text[]) AS t)
       SELECT u.report_id, u.sentence, ts_rank(u.tokens, q.query) AS rank
         FROM search_units u JOIN search_reports r ON r.id = u.report_id, q
        WHERE u.tokens @@ q.query
          AND ($2::text[] IS NULL OR r.id = ANY($2))
          AND ($3::text[] IS NULL OR r.region = ANY($3))
          AND ($4::text[] IS NULL OR r.level = ANY($4))
          AND ($5::int[] IS NULL OR r.year = ANY($5))
          AND ($6::text[] IS NULL OR u.period = ANY($6))
        ORDER BY rank DESC, u.report_id, u.sentence
        LIMIT $7`,
      [terms, scope.reports ?? null, scope.regions ?? null, scope.levels ?? null, scope.years ?? null, scope.periods ?? null, limit],
    );
    return rows.map((r) => ({ report: r.report_id, sentence: r.sentence, rank: r.rank }));
  }

  /**
   * Calls `onChange` with the new generation whenever any replica changes the reports, on a
   * connection of its own that comes back by itself after PostgreSQL was away (and then calls
   * `onChange` once, since changes may have been missed meanwhile).
   */
  async listen(onChange: (generation: number) => void, onError?: (err: Error) => void): Promise<void> {
    const connect = async (): Promise<void> => {
      const client = new pg.Client({ connectionString: this.#url, application_name: 'workplan-bot search listener', keepAlive: true });
      let retried = false;
      const retry = (err: Error): void => {
        if (retried) return;
        retried = true;
        onError?.(err);
        client.end().catch(() => {});
        if (this.#listener === client) this.#listener = undefined;
        if (this.#closed) return;
        setTimeout(() => {
          if (!this.#closed) void connect().then(() => onChange(-1), () => undefined);
        }, 1000).unref();
      };
      client.on('error', retry);
      client.on('end', () => retry(new Error('listener connection ended')));
      client.on('notification', (n) => {
        if (n.channel === CHANGE_CHANNEL) onChange(Number(n.payload ?? -1));
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANGE_CHANNEL}`);
        this.#listener = client;
      } catch (err) {
        retry(err as Error);
        throw err;
      }
    };
    await connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const l = this.#listener;
    this.#listener = undefined;
    await l?.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}

async function bump(client: pg.PoolClient, ids: string[]): Promise<number> {
  const { rows } = await client.query<{ generation: string }>('UPDATE search_state SET generation = generation + 1 RETURNING generation');
  const generation = Number(rows[0]!.generation);
  // Delivered at commit, to every listening replica (the writer's own included).
  await client.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, String(generation)]);
  void ids;
  return generation;
}

async function insertReport(client: pg.PoolClient, r: PreparedReport): Promise<void> {
  const meta = r.source.meta;
  await client.query(
    `INSERT INTO search_reports (id, file, sha256, title, region, level, year, source, structure, lexicon, tokenizer, segmenter, embedder,
       part_texts, sentences_meta, sentences_data, paragraphs_meta, paragraphs_data, dim, vectors)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
    [
      meta.id,
      r.source.file,
      r.sha256,
      meta.title,
      meta.region,
      meta.level ?? null,
      meta.year,
      sourceToText(r.source),
      JSON.stringify({ paragraphs: r.report.paragraphs, sentences: r.report.sentences, sections: r.report.sections }),
      r.made.lexicon,
      r.made.tokenizer,
      r.made.segmenter,
      r.made.embedder,
      r.part.texts,
      r.part.sentences.meta,
      r.part.sentences.data,
      r.part.paragraphs.meta,
      r.part.paragraphs.data,
      r.dim,
      Buffer.from(r.vectors.buffer, r.vectors.byteOffset, r.vectors.byteLength),
    ],
  );
  const sentences = r.report.sentences;
  const meta2 = JSON.parse(r.part.sentences.meta) as Bm25Binary['meta'];
  const terms = termsByDocument(meta2, r.part.sentences.data, sentences.length);
  const BATCH = 500;
  for (let i = 0; i < sentences.length; i += BATCH) {
    const slice = sentences.slice(i, i + BATCH);
    await client.query(
      `INSERT INTO search_units (report_id, sentence, paragraph, period, start_at, end_at, tokens)
       SELECT $1, s, p, per, st, en, array_to_tsvector(string_to_array(tok, E'\\x1f'))
         FROM unnest($2::int[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[]) AS x(s, p, per, st, en, tok)`,
      [
        meta.id,
        slice.map((s) => s.index),
        slice.map((s) => s.paragraph),
        slice.map((s) => r.report.paragraphs[s.paragraph]!.period),
        slice.map((s) => s.start),
        slice.map((s) => s.end),
        slice.map((s) => terms[s.index]!.join('\u001f')),
      ],
    );
  }
  for (let i = 0; i < r.targets.length; i += BATCH) {
    const slice = r.targets.slice(i, i + BATCH);
    await client.query(
      `INSERT INTO search_targets (report_id, n, indicator, kind, year, row)
       SELECT $1, n, ind, k, y, rw::jsonb FROM unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::text[]) AS x(n, ind, k, y, rw)`,
      [meta.id, slice.map((_, k) => i + k), slice.map((t) => t.indicator), slice.map((t) => t.kind), slice.map((t) => t.year), slice.map((t) => JSON.stringify(t))],
    );
  }
}
