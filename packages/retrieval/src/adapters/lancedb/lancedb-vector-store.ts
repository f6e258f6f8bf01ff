import { performance } from 'node:perf_hooks';
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8, Bool } from 'apache-arrow';
import type {
  MaintainableVectorStore,
  Metadata,
  OptimizeReport,
  StoreHit,
  StoreQuery,
  StoredChunk,
  VectorRecord,
  VectorStoreCapabilities,
  WeightedTerm,
} from '../../ports';
import { DimensionMismatchError, RetrievalError, VectorStoreUnavailableError } from '../../errors';
import { guardStoreCall } from '../../internal/store-guard';
import { checkQuery, checkRecords, requireTenant } from '../../internal/validate';
import { analyze } from '../../text/analyzer';
import { queryTermWeights } from '../../text/bm25-index';
import { metadataColumn, sqlString, toSqlPredicate, type MetadataFieldType } from './lancedb-filter';

export interface LancedbAnnOptions {
  /** Build a vector index once the table holds this many rows (default 50,000; below it exact scans are fast). */
  readonly threshold?: number;
  /**
   * `hnsw_sq` (default): an HNSW graph over scalar-quantized vectors, queried with `ef` and
   * re-ranked with exact distances (`refineFactor`); measured recall@10 0.99 at ~5 ms on 20k rows of
   * local-embedder vectors, building in tens of seconds per 100k rows (a background job).
   * `ivf_flat`: partitions of raw vectors, `nprobes` probed; builds fast but clustered these
   * lexical vectors poorly (45% of the partitions for recall 0.95, no faster than a scan).
   */
  readonly index?: 'hnsw_sq' | 'ivf_flat';
  /** HNSW candidate list size per query (default 100). */
  readonly ef?: number;
  /** IVF_FLAT partitions (default √rows). */
  readonly numPartitions?: number;
  /** IVF_FLAT partitions probed per query (default 45% of the partitions). */
  readonly nprobes?: number;
  /**
   * Re-rank `refineFactor × topK` candidates with exact distances (default 5 for hnsw_sq, 1 for
   * ivf_flat); for hnsw_sq lowered so that at most max(100, topK) candidates are re-ranked.
   */
  readonly refineFactor?: number;
}

export interface LancedbVectorStoreOptions {
  /** A directory (embedded, on disk) or any LanceDB URI. */
  readonly uri: string;
  readonly dimensions: number;
  /** Default `chunks`. */
  readonly tableName?: string;
  /**
   * Metadata fields that filters may use, with their types. Each becomes a typed column; every
   * metadata value is also kept whole in a JSON column, so undeclared fields round-trip but are not filterable.
   */
  readonly metadataFields?: Readonly<Record<string, MetadataFieldType>>;
  readonly ann?: LancedbAnnOptions;
  /**
   * Lance file format of a NEW table (default `legacy`: its exact scans measured 25–40 ms at 100k
   * rows of 384-d against ~1 s for the newer format on this kind of machine).
   */
  readonly dataStorageVersion?: 'legacy' | 'stable';
  /**
   * Seconds between checks for writes made by OTHER processes (LanceDB's `readConsistencyInterval`);
   * 0: every read sees the latest committed version. Unset (the default): never checked, so a
   * process only sees its own writes: set it when one process writes (a worker) and another reads (an API).
   */
  readonly readConsistencyIntervalSeconds?: number;
  /**
   * Object-store settings for an `s3://bucket/path` (or `gs://`, `az://`) `uri`, passed to LanceDB
   * as its `storageOptions`: `endpoint`, `region`, `allow_http`, `aws_access_key_id`,
   * `aws_secret_access_key`, `virtual_hosted_style_request`, `timeout`… Unset keys fall back to
   * LanceDB's own environment lookup (AWS_ACCESS_KEY_ID, AWS_REGION, instance credentials).
   * LanceDB commits a version with a conditional put (`If-None-Match`): several writer processes
   * are safe on stores that honour it (AWS S3, MinIO, R2); on one that ignores it a concurrent
   * commit is silently overwritten — keep one writer there (docs/deployment.md).
   */
  readonly storageOptions?: Readonly<Record<string, string>>;
}

const SYSTEM_COLUMNS = ['id', 'document_id', 'ordinal', 'content_hash', 'text', 'metadata_json'];
/**
 * The chunk's text analyzed by the package's analyzer (lowercase, stop words out, Porter stems),
 * space-separated: the column the full-text index covers, so that LanceDB's BM25 sees the same terms
 * as the memory store's and a query can weigh each term (a repeated query word, an RM3 expansion).
 */
const TERMS_COLUMN = 'fts_terms';
const MAX_ROWS = 1_000_000;

/**
 * LanceDB, embedded and on disk: one table for all tenants, `tenant_id` a column that every
 * predicate starts with (`tenant_id = '…' AND (…)`, prefiltered before the vector or full-text
 * search), cosine distance, a BM25 full-text index on `text`, and, from `ann.threshold` rows on,
 * a vector index (HNSW_SQ by default) built by `optimize()`, never on the request path. Rows added after an index
 * build are still searched (LanceDB scans unindexed fragments) until the next `optimize()`.
 */
export class LancedbVectorStore implements MaintainableVectorStore {
  readonly name = 'lancedb';
  readonly dimensions: number;
  readonly capabilities: VectorStoreCapabilities;
  private readonly fields: Readonly<Record<string, MetadataFieldType>>;
  private ftsReady = false;
  private closed = false;
  /**
   * Tables created before the analyzed-terms column keep the full-text index on `text` (tantivy's
   * English analyzer, each query word counted once); re-create them to get the weighted BM25.
   */
  private readonly analyzedTerms: boolean;
  /** IVF partitions of the vector index (known when built here, else estimated at open). */
  private partitions = 1;
  /** The kind of vector index the table has (none: exact scans). */
  private vectorIndex: 'hnsw_sq' | 'ivf_flat' | undefined;

  private constructor(
    private readonly connection: lancedb.Connection,
    private readonly table: lancedb.Table,
    private readonly options: LancedbVectorStoreOptions,
    hasVectorIndex: boolean,
    analyzedTerms: boolean,
  ) {
    this.dimensions = options.dimensions;
    this.fields = options.metadataFields ?? {};
    this.analyzedTerms = analyzedTerms;
    this.capabilities = { keyword: true, exact: !hasVectorIndex, weightedTerms: analyzedTerms };
  }

  /** Opens (or creates) the table; fails with `VectorStoreUnavailableError` if the directory cannot be used. */
  static async open(options: LancedbVectorStoreOptions): Promise<LancedbVectorStore> {
    const tableName = options.tableName ?? 'chunks';
    for (const field of Object.keys(options.metadataFields ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field))
        throw new VectorStoreUnavailableError({
          message: `metadata field name "${field}" is not an identifier`,
        });
    }
    try {
      const connection = await lancedb.connect(options.uri, {
        ...(options.readConsistencyIntervalSeconds === undefined
          ? {}
          : { readConsistencyInterval: options.readConsistencyIntervalSeconds }),
        ...(options.storageOptions === undefined ? {} : { storageOptions: { ...options.storageOptions } }),
      });
      const names = await connection.tableNames();
      let table: lancedb.Table;
      let analyzedTerms = true;
      if (names.includes(tableName)) {
        table = await connection.openTable(tableName);
        analyzedTerms = await checkSchema(table, options);
      } else {
        try {
          table = await connection.createEmptyTable(tableName, schemaFor(options, true), {
            existOk: true,
            storageOptions: { new_table_data_storage_version: options.dataStorageVersion ?? 'legacy' },
          });
        } catch (error) {
          // Another process (a replica starting at the same moment) created it first: its commit
          // won the conditional put. Open that table instead of failing the boot.
          if (!(await connection.tableNames()).includes(tableName)) throw error;
          table = await connection.openTable(tableName);
          analyzedTerms = await checkSchema(table, options);
        }
      }
      const indexes = await table.listIndices();
      const store = new LancedbVectorStore(
        connection,
        table,
        options,
        indexes.some((index) => index.columns.includes('vector')),
        analyzedTerms,
      );
      store.ftsReady = indexes.some(
        (index) => index.columns.includes(store.ftsColumn) && index.indexType === 'FTS',
      );
      const vectorIndex = indexes.find((index) => index.columns.includes('vector'));
      if (vectorIndex) {
        store.vectorIndex = /hnsw/i.test(vectorIndex.indexType) ? 'hnsw_sq' : 'ivf_flat';
        store.partitions = Math.max(1, Math.round(Math.sqrt(await table.countRows())));
      }
      return store;
    } catch (error) {
      if (RetrievalError.isInstance(error)) throw error;
      throw new VectorStoreUnavailableError({
        message: `cannot open LanceDB table ${tableName} at ${options.uri}: ${String(error)}`,
        cause: error,
      });
    }
  }

  async upsert(tenantId: string, records: readonly VectorRecord[]): Promise<void> {
    this.assertOpen();
    requireTenant(tenantId);
    checkRecords(records, this.dimensions);
    if (records.length === 0) return;
    const rows = records.map((record) => this.toRow(tenantId, record));
    await this.guard('upsert', async () => {
      const data = lancedb.makeArrowTable(rows, { schema: schemaFor(this.options, this.analyzedTerms) });
      await this.table
        .mergeInsert(['tenant_id', 'id'])
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute(data);
    });
  }

  async deleteByIds(tenantId: string, ids: readonly string[]): Promise<void> {
    this.assertOpen();
    const tenant = tenantPredicate(tenantId);
    for (let start = 0; start < ids.length; start += 500) {
      const slice = ids.slice(start, start + 500);
      await this.guard('delete', () =>
        this.table.delete(`${tenant} AND id IN (${slice.map(sqlString).join(', ')})`),
      );
    }
  }

  async deleteByDocument(tenantId: string, documentId: string): Promise<void> {
    this.assertOpen();
    await this.guard('delete', () =>
      this.table.delete(`${tenantPredicate(tenantId)} AND document_id = ${sqlString(documentId)}`),
    );
  }

  async listByDocuments(tenantId: string, documentIds: readonly string[]): Promise<StoredChunk[]> {
    this.assertOpen();
    const tenant = tenantPredicate(tenantId);
    const chunks: StoredChunk[] = [];
    const unique = [...new Set(documentIds)];
    for (let start = 0; start < unique.length; start += 500) {
      const where = `${tenant} AND document_id IN (${unique
        .slice(start, start + 500)
        .map(sqlString)
        .join(', ')})`;
      const rows = await this.guard('list', () =>
        this.table.query().where(where).select(SYSTEM_COLUMNS).limit(MAX_ROWS).toArray(),
      );
      for (const row of rows as Row[]) chunks.push(fromRow(row));
    }
    return chunks;
  }

  async fetch(tenantId: string, ids: readonly string[]): Promise<VectorRecord[]> {
    this.assertOpen();
    const tenant = tenantPredicate(tenantId);
    const records: VectorRecord[] = [];
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += 500) {
      const slice = unique.slice(start, start + 500);
      const rows = await this.guard('fetch', () =>
        this.table
          .query()
          .where(`${tenant} AND id IN (${slice.map(sqlString).join(', ')})`)
          .select([...SYSTEM_COLUMNS, 'vector'])
          .limit(slice.length)
          .toArray(),
      );
      for (const row of rows as Row[])
        records.push({ ...fromRow(row), vector: Array.from(row.vector as Iterable<number>) });
    }
    return records;
  }

  async search(tenantId: string, rawQuery: StoreQuery): Promise<StoreHit[]> {
    this.assertOpen();
    const tenant = tenantPredicate(tenantId);
    const query = checkQuery(rawQuery, this.dimensions);
    const where =
      query.filter === undefined ? tenant : `${tenant} AND ${toSqlPredicate(query.filter, this.fields)}`;
    const columns = query.includeVectors ? [...SYSTEM_COLUMNS, 'vector'] : SYSTEM_COLUMNS;
    if (query.mode === 'keyword') {
      const fullTextQuery = this.fullTextQuery(query.text, query.terms);
      if (fullTextQuery === undefined) return [];
      await this.ensureFullTextIndex();
      const rows = await this.guard('keyword search', () =>
        this.table
          .query()
          .fullTextSearch(fullTextQuery)
          .where(where)
          .select([...columns, '_score'])
          .limit(query.topK)
          .toArray(),
      );
      return (rows as Row[]).map((row) => this.toHit(row, Number(row._score), query.includeVectors));
    }
    const ann = this.options.ann ?? {};
    const rows = await this.guard('vector search', () => {
      let builder = this.table
        .query()
        .nearestTo(Float32Array.from(query.vector))
        .distanceType('cosine')
        .where(where)
        .select([...columns, '_distance'])
        .limit(query.topK);
      if (!this.capabilities.exact) {
        if (this.vectorIndex === 'hnsw_sq') {
          // At most max(100, topK) candidates re-ranked exactly: at topK 50 (a hybrid leg) 5 × 50
          // re-ranked rows cost more than the graph search itself, for ranks fusion barely uses.
          const refine = Math.max(1, Math.min(ann.refineFactor ?? 5, Math.floor(100 / query.topK)));
          // HNSW needs ef ≥ the candidates it returns (topK × refineFactor).
          builder = builder.ef(Math.max(ann.ef ?? 100, query.topK * refine));
          if (refine > 1) builder = builder.refineFactor(refine);
        } else {
          builder = builder.nprobes(ann.nprobes ?? Math.max(1, Math.ceil(0.45 * this.partitions)));
          if ((ann.refineFactor ?? 1) > 1) builder = builder.refineFactor(ann.refineFactor as number);
        }
      }
      return builder.toArray();
    });
    return (rows as Row[]).map((row) => this.toHit(row, 1 - Number(row._distance), query.includeVectors));
  }

  async count(tenantId: string): Promise<number> {
    this.assertOpen();
    return this.guard('count', () => this.table.countRows(tenantPredicate(tenantId)));
  }

  /**
   * Builds what is missing and refreshes the rest: the full-text index, a bitmap index on
   * `tenant_id`, the vector index (`ann.index`) once past `ann.threshold` rows, then compaction (which
   * also folds new rows into existing indexes). Seconds to minutes: run it from a background job.
   */
  async optimize(): Promise<OptimizeReport> {
    this.assertOpen();
    const started = performance.now();
    return this.guard('optimize', async () => {
      const rows = await this.table.countRows();
      const built: string[] = [];
      const existing = await this.table.listIndices();
      const has = (column: string): boolean => existing.some((index) => index.columns.includes(column));
      if (!has(this.ftsColumn)) {
        await this.createFullTextIndex();
        built.push(`fts(${this.ftsColumn})`);
      }
      if (!has('document_id') && rows > 0) {
        await this.table.createIndex('document_id', { config: lancedb.Index.btree() });
        built.push('btree(document_id)');
      }
      if (!has('tenant_id') && rows > 0) {
        await this.table.createIndex('tenant_id', { config: lancedb.Index.bitmap() });
        built.push('bitmap(tenant_id)');
      }
      const threshold = this.options.ann?.threshold ?? 50_000;
      if (!has('vector') && rows >= threshold) {
        const kind = this.options.ann?.index ?? 'hnsw_sq';
        if (kind === 'hnsw_sq') {
          await this.table.createIndex('vector', {
            config: lancedb.Index.hnswSq({ distanceType: 'cosine' }),
          });
          built.push('hnsw_sq(vector)');
        } else {
          const numPartitions = this.options.ann?.numPartitions ?? Math.max(1, Math.round(Math.sqrt(rows)));
          await this.table.createIndex('vector', {
            config: lancedb.Index.ivfFlat({ distanceType: 'cosine', numPartitions }),
          });
          built.push(`ivf_flat(vector, partitions=${numPartitions})`);
          this.partitions = numPartitions;
        }
        this.vectorIndex = kind;
        (this as { capabilities: VectorStoreCapabilities }).capabilities = {
          keyword: true,
          exact: false,
          weightedTerms: this.analyzedTerms,
        };
      }
      await this.table.optimize();
      const indexes = (await this.table.listIndices()).map(
        (index) => `${index.indexType}(${index.columns.join(',')})`,
      );
      return {
        rows,
        indexes: built.length > 0 ? [...new Set([...built, ...indexes])] : indexes,
        durationMs: performance.now() - started,
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.table.close();
    this.connection.close();
  }

  /** The column the full-text index covers. */
  private get ftsColumn(): string {
    return this.analyzedTerms ? TERMS_COLUMN : 'text';
  }

  /**
   * BM25 over the analyzed terms: one SHOULD clause per distinct term, boosted by its weight (its
   * count in the query, or its expansion weight), which is Lucene's bag-of-words query. LanceDB's
   * scorer is BM25 with k1 1.2, b 0.75 and Lucene's idf, so this ranks as the memory store does.
   */
  private fullTextQuery(
    text: string,
    terms: readonly WeightedTerm[] | undefined,
  ): lancedb.FullTextQuery | undefined {
    if (!this.analyzedTerms) {
      const trimmed = text.trim();
      return trimmed.length === 0 ? undefined : new lancedb.MatchQuery(trimmed, 'text');
    }
    const weighted = terms ?? queryTermWeights(text);
    if (weighted.length === 0) return undefined;
    const clauses = weighted.map(
      ({ term, weight }) => new lancedb.MatchQuery(term, TERMS_COLUMN, { boost: weight }),
    );
    if (clauses.length === 1) return clauses[0];
    return new lancedb.BooleanQuery(clauses.map((clause) => [lancedb.Occur.Should, clause]));
  }

  private async ensureFullTextIndex(): Promise<void> {
    if (this.ftsReady) return;
    // LanceDB needs an inverted index before any full-text query. On an empty or small table
    // building it takes milliseconds; larger tables get it from `optimize()` first.
    await this.guard('full-text index', async () => {
      for (let attempt = 0; ; attempt += 1) {
        const indexes = await this.table.listIndices();
        if (indexes.some((index) => index.columns.includes(this.ftsColumn))) return;
        try {
          await this.createFullTextIndex();
          return;
        } catch (error) {
          // Several processes share the table (api replicas, workers): two that build the index at
          // once get a commit conflict for the second CreateIndex. The first one's index serves:
          // look again instead of failing the search.
          if (!isCommitConflict(error) || attempt >= 4) throw error;
        }
      }
    });
    this.ftsReady = true;
  }

  private async createFullTextIndex(): Promise<void> {
    const config = this.analyzedTerms
      ? // The terms are analyzed already: split on spaces and nothing else (no second stemmer).
        lancedb.Index.fts({
          baseTokenizer: 'whitespace',
          lowercase: false,
          stem: false,
          removeStopWords: false,
          asciiFolding: false,
          withPosition: false,
        })
      : lancedb.Index.fts({
          baseTokenizer: 'simple',
          language: 'English',
          stem: true,
          removeStopWords: true,
          lowercase: true,
          asciiFolding: true,
        });
    await this.table.createIndex(this.ftsColumn, { config, replace: true });
    this.ftsReady = true;
  }

  private toRow(tenantId: string, record: VectorRecord): Record<string, unknown> {
    const row: Record<string, unknown> = {
      id: record.id,
      tenant_id: tenantId,
      document_id: record.documentId,
      ordinal: record.ordinal,
      content_hash: record.contentHash,
      text: record.text,
      metadata_json: JSON.stringify(record.metadata),
      vector: Float32Array.from(record.vector),
    };
    if (this.analyzedTerms)
      row[TERMS_COLUMN] = analyze(record.text)
        .map(({ term }) => term)
        .join(' ');
    for (const [field, type] of Object.entries(this.fields)) {
      const value = record.metadata[field];
      row[metadataColumn(field)] = typeof value === type ? value : null;
    }
    return row;
  }

  private toHit(row: Row, score: number, includeVector: boolean | undefined): StoreHit {
    return {
      ...fromRow(row),
      score,
      ...(includeVector ? { vector: Array.from(row.vector as Iterable<number>) } : {}),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new VectorStoreUnavailableError({ message: 'the LanceDB vector store is closed' });
  }

  private guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guardStoreCall('LanceDB', operation, work);
  }
}

type Row = Record<string, unknown>;

function tenantPredicate(tenantId: string): string {
  return `tenant_id = ${sqlString(requireTenant(tenantId))}`;
}

function fromRow(row: Row): StoredChunk {
  return {
    id: String(row.id),
    documentId: String(row.document_id),
    ordinal: Number(row.ordinal),
    contentHash: String(row.content_hash),
    text: String(row.text),
    metadata: JSON.parse(String(row.metadata_json)) as Metadata,
  };
}

function schemaFor(options: LancedbVectorStoreOptions, analyzedTerms: boolean): Schema {
  const metadataFields = Object.entries(options.metadataFields ?? {}).map(
    ([field, type]) =>
      new Field(
        metadataColumn(field),
        type === 'string' ? new Utf8() : type === 'number' ? new Float64() : new Bool(),
        true,
      ),
  );
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('tenant_id', new Utf8(), false),
    new Field('document_id', new Utf8(), false),
    new Field('ordinal', new Int32(), false),
    new Field('content_hash', new Utf8(), false),
    new Field('text', new Utf8(), false),
    new Field('metadata_json', new Utf8(), false),
    ...(analyzedTerms ? [new Field(TERMS_COLUMN, new Utf8(), false)] : []),
    ...metadataFields,
    new Field('vector', new FixedSizeList(options.dimensions, new Field('item', new Float32(), true)), false),
  ]);
}

/** Checks an existing table against the options; returns whether it has the analyzed-terms column. */
async function checkSchema(table: lancedb.Table, options: LancedbVectorStoreOptions): Promise<boolean> {
  const schema = await table.schema();
  const vector = schema.fields.find((field) => field.name === 'vector');
  const size = (vector?.type as { listSize?: number } | undefined)?.listSize;
  if (size !== options.dimensions) {
    throw new DimensionMismatchError({
      message: `LanceDB table at ${options.uri} holds ${String(size)}-d vectors, the store was configured for ${options.dimensions}`,
      details: { expected: options.dimensions, actual: size },
    });
  }
  const missing = Object.keys(options.metadataFields ?? {}).filter(
    (field) => !schema.fields.some((column) => column.name === metadataColumn(field)),
  );
  if (missing.length > 0) {
    throw new VectorStoreUnavailableError({
      message: `LanceDB table at ${options.uri} lacks columns for metadata fields ${missing.join(', ')}; migrate it (addColumns) or use a new table`,
    });
  }
  return schema.fields.some((column) => column.name === TERMS_COLUMN);
}

/** LanceDB's "Retryable commit conflict … preempted by concurrent transaction" (another writer won the commit). */
function isCommitConflict(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /commit conflict|preempted by concurrent transaction/i.test(message);
}
