import type { MetadataFilter, VectorRecord, VectorStore } from '../ports';
import { AiScaleError } from '@ai-scale/errors';

/** The test functions the suite needs (jest's, vitest's or node:test's). */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  beforeEach(body: () => Promise<void>): void;
  afterEach(body: () => Promise<void>): void;
}

export interface VectorStoreContractCapabilities {
  /** The store serves `keyword` queries (declared false ⇒ the suite expects `UNSUPPORTED_SEARCH_MODE`). */
  readonly keyword: boolean;
  /** Keyword queries honour weighted `terms` and count repeated query words (`capabilities.weightedTerms`). */
  readonly weightedTerms?: boolean;
}

/** Dimensions of the suite's vectors: factories must create stores of this size. */
export const CONTRACT_DIMENSIONS = 8;

/** Metadata fields the suite filters on; stores that need a schema declare exactly these. */
export const CONTRACT_METADATA_FIELDS = {
  lang: 'string',
  year: 'number',
  draft: 'boolean',
  tenant_id: 'string',
} as const;

function unit(index: number, secondary = -1, weight = 0.3): number[] {
  const vector = new Array<number>(CONTRACT_DIMENSIONS).fill(0);
  vector[index] = 1;
  if (secondary >= 0) vector[secondary] = weight;
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function record(
  id: string,
  documentId: string,
  vector: number[],
  text: string,
  metadata: VectorRecord['metadata'],
): VectorRecord {
  return {
    id,
    documentId,
    ordinal: Number(id.split('-').pop()) || 0,
    contentHash: `hash-${id}`,
    text,
    vector,
    metadata,
  };
}

/** Five chunks of two documents, shaped so each filter and query has one right answer. */
export const CONTRACT_RECORDS: readonly VectorRecord[] = [
  record('a-0', 'doc-a', unit(0), 'Turbine blades cool with film cooling air', {
    lang: 'en',
    year: 2019,
    draft: false,
    tenant_id: 'x',
  }),
  record('a-1', 'doc-a', unit(0, 1), 'Boundary layer transition on a flat plate', {
    lang: 'en',
    year: 2021,
    draft: true,
    tenant_id: 'x',
  }),
  record('a-2', 'doc-a', unit(1), 'Le nombre de Mach critique d une aile', {
    lang: 'fr',
    year: 2022,
    draft: false,
    tenant_id: 'x',
  }),
  record('b-0', 'doc-b', unit(2), 'Heat transfer in hypersonic flow over a cone', {
    lang: 'en',
    year: 2023,
    draft: false,
    tenant_id: 'x',
  }),
  record('b-1', 'doc-b', unit(3), 'Shock wave interaction with a boundary layer', {
    lang: 'de',
    year: 2020,
    draft: false,
    tenant_id: 'x',
  }),
];

const HOSTILE_VALUES = [
  "x' OR '1'='1",
  "en') OR (1=1",
  '" OR tenant_id IS NOT NULL --',
  "\\' OR 1=1 --",
  '%',
  '*',
  '$ne',
];

type Expect = (actual: unknown) => {
  toEqual(expected: unknown): void;
  toBe(expected: unknown): void;
  toBeGreaterThanOrEqual(expected: number): void;
};

/**
 * The ONE contract every `VectorStore` adapter runs. `factory` returns a fresh, empty store of
 * `CONTRACT_DIMENSIONS` dimensions that can filter on `CONTRACT_METADATA_FIELDS`; `cleanup` (optional)
 * releases what the factory made beyond the store itself (a temp dir, a fake server).
 */
export function vectorStoreContract(
  api: ContractTestApi,
  expect: Expect,
  factory: () => Promise<VectorStore>,
  capabilities: VectorStoreContractCapabilities,
  cleanup?: () => Promise<void>,
): void {
  const { describe, it, beforeEach, afterEach } = api;
  const tenantA = 'tenant-a';
  const tenantB = 'tenant-b';
  let store: VectorStore;

  const ids = (hits: readonly { id: string }[]): string[] => hits.map((hit) => hit.id);
  const sorted = (values: readonly string[]): string[] => [...values].sort();
  async function codeOf(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
      return 'NO_ERROR';
    } catch (error) {
      return AiScaleError.isInstance(error) ? error.code : `NOT_AN_AI_SCALE_ERROR: ${String(error)}`;
    }
  }
  const vectorSearch = (tenantId: string, filter?: MetadataFilter, topK = 10) =>
    store.search(tenantId, { mode: 'vector', vector: unit(0), topK, ...(filter ? { filter } : {}) });

  describe('VectorStore contract', () => {
    beforeEach(async () => {
      store = await factory();
      await store.upsert(tenantA, CONTRACT_RECORDS);
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    it('declares its dimensions', async () => {
      expect(store.dimensions).toBe(CONTRACT_DIMENSIONS);
      expect(store.capabilities.keyword).toBe(capabilities.keyword);
    });

    it('returns the nearest vectors first, at most topK, scores descending', async () => {
      const hits = await vectorSearch(tenantA, undefined, 3);
      expect(ids(hits).slice(0, 2)).toEqual(['a-0', 'a-1']);
      expect(hits.length).toBe(3);
      for (let i = 1; i < hits.length; i++)
        expect((hits[i - 1]?.score ?? 0) >= (hits[i]?.score ?? 0)).toBe(true);
      const top = hits[0];
      expect(top?.documentId).toBe('doc-a');
      expect(top?.text).toBe(CONTRACT_RECORDS[0]?.text);
      expect(top?.contentHash).toBe('hash-a-0');
      expect(top?.metadata).toEqual(CONTRACT_RECORDS[0]?.metadata);
      expect(Math.abs((top?.score ?? 0) - 1) < 1e-3).toBe(true);
    });

    it('returns vectors only when asked', async () => {
      const [withVector] = await store.search(tenantA, {
        mode: 'vector',
        vector: unit(0),
        topK: 1,
        includeVectors: true,
      });
      expect(withVector?.vector?.length).toBe(CONTRACT_DIMENSIONS);
      const [plain] = await vectorSearch(tenantA, undefined, 1);
      expect(plain?.vector).toBe(undefined);
    });

    it('upsert is idempotent: writing the same ids again replaces, never duplicates', async () => {
      await store.upsert(tenantA, CONTRACT_RECORDS);
      const changed = {
        ...(CONTRACT_RECORDS[0] as VectorRecord),
        text: 'replaced text',
        metadata: { lang: 'it', year: 1999, draft: false, tenant_id: 'x' },
      };
      await store.upsert(tenantA, [changed]);
      expect(await store.count(tenantA)).toBe(CONTRACT_RECORDS.length);
      const hits = await vectorSearch(tenantA);
      expect(ids(hits).filter((id) => id === 'a-0').length).toBe(1);
      expect(hits.find((hit) => hit.id === 'a-0')?.text).toBe('replaced text');
      expect(hits.find((hit) => hit.id === 'a-0')?.metadata.lang).toBe('it');
    });

    it('filters: eq, in, range, and, or, documentId; a missing value never matches', async () => {
      const filtered = async (filter: MetadataFilter) => sorted(ids(await vectorSearch(tenantA, filter)));
      expect(await filtered({ field: 'lang', op: 'eq', value: 'fr' })).toEqual(['a-2']);
      expect(await filtered({ field: 'draft', op: 'eq', value: true })).toEqual(['a-1']);
      expect(await filtered({ field: 'year', op: 'eq', value: 2020 })).toEqual(['b-1']);
      expect(await filtered({ field: 'lang', op: 'in', values: ['fr', 'de'] })).toEqual(['a-2', 'b-1']);
      expect(await filtered({ field: 'year', op: 'range', gte: 2021, lt: 2023 })).toEqual(['a-1', 'a-2']);
      expect(await filtered({ field: 'year', op: 'range', gt: 2022 })).toEqual(['b-0']);
      expect(await filtered({ field: 'documentId', op: 'eq', value: 'doc-b' })).toEqual(['b-0', 'b-1']);
      expect(
        await filtered({
          and: [
            { field: 'lang', op: 'eq', value: 'en' },
            { field: 'year', op: 'range', lte: 2021 },
          ],
        }),
      ).toEqual(['a-0', 'a-1']);
      expect(
        await filtered({
          or: [
            { field: 'lang', op: 'eq', value: 'de' },
            { field: 'draft', op: 'eq', value: true },
          ],
        }),
      ).toEqual(['a-1', 'b-1']);
      expect(
        await filtered({
          and: [
            { field: 'documentId', op: 'eq', value: 'doc-a' },
            {
              or: [
                { field: 'lang', op: 'eq', value: 'fr' },
                { field: 'year', op: 'eq', value: 2019 },
              ],
            },
          ],
        }),
      ).toEqual(['a-0', 'a-2']);
      expect(await filtered({ field: 'lang', op: 'eq', value: 'nl' })).toEqual([]);
    });

    it('rejects malformed filters with INVALID_FILTER', async () => {
      const bad = [
        { field: 'lang', op: 'like', value: 'en' },
        { field: 'lang; DROP TABLE x', op: 'eq', value: 'en' },
        { field: 'year', op: 'range' },
        { and: [] },
        { field: 'lang', op: 'in', values: [] },
      ];
      for (const filter of bad) {
        expect(await codeOf(vectorSearch(tenantA, filter as unknown as MetadataFilter))).toBe(
          'INVALID_FILTER',
        );
      }
    });

    it('isolates tenants: B sees none of A, whatever the filter says', async () => {
      expect(await store.count(tenantB)).toBe(0);
      expect(await vectorSearch(tenantB)).toEqual([]);
      expect(await store.listByDocuments(tenantB, ['doc-a'])).toEqual([]);
      expect(await store.fetch(tenantB, ['a-0', 'b-0'])).toEqual([]);
      for (const value of HOSTILE_VALUES) {
        expect(await vectorSearch(tenantB, { field: 'lang', op: 'eq', value })).toEqual([]);
        expect(await vectorSearch(tenantB, { field: 'tenant_id', op: 'eq', value })).toEqual([]);
        expect(
          await vectorSearch(tenantB, { field: 'documentId', op: 'in', values: [value, 'doc-a'] }),
        ).toEqual([]);
        expect(
          await vectorSearch(tenantB, {
            or: [
              { field: 'lang', op: 'eq', value },
              { field: 'lang', op: 'eq', value: 'en' },
            ],
          }),
        ).toEqual([]);
        // Hostile values are data: in A they match nothing instead of widening the query.
        expect(await vectorSearch(tenantA, { field: 'lang', op: 'eq', value })).toEqual([]);
        if (capabilities.keyword) {
          expect(
            await store.search(tenantB, { mode: 'keyword', text: `boundary ${value}`, topK: 10 }),
          ).toEqual([]);
        }
      }
      expect(await vectorSearch(tenantB, { field: 'tenant_id', op: 'eq', value: 'x' })).toEqual([]);
      // A metadata field named like the tenant column is just metadata.
      expect((await vectorSearch(tenantA, { field: 'tenant_id', op: 'eq', value: 'x' })).length).toBe(
        CONTRACT_RECORDS.length,
      );
      // B's writes and deletes never touch A.
      await store.upsert(tenantB, [CONTRACT_RECORDS[0] as VectorRecord]);
      await store.deleteByDocument(tenantB, 'doc-a');
      await store.deleteByIds(tenantB, ['a-1', 'b-0']);
      expect(await store.count(tenantA)).toBe(CONTRACT_RECORDS.length);
      expect(await store.count(tenantB)).toBe(0);
      await store.upsert(tenantB, [{ ...(CONTRACT_RECORDS[0] as VectorRecord), text: 'tenant b copy' }]);
      expect((await vectorSearch(tenantA, undefined, 1))[0]?.text).toBe(CONTRACT_RECORDS[0]?.text);
      expect((await vectorSearch(tenantB, undefined, 10)).map((hit) => hit.text)).toEqual(['tenant b copy']);
    });

    it('rejects an empty tenant id', async () => {
      expect(await codeOf(vectorSearch(''))).toBe('INVALID_RETRIEVAL_REQUEST');
      expect(await codeOf(store.upsert('', [CONTRACT_RECORDS[0] as VectorRecord]))).toBe(
        'INVALID_RETRIEVAL_REQUEST',
      );
      expect(await codeOf(store.count(''))).toBe('INVALID_RETRIEVAL_REQUEST');
    });

    it('deletes by ids and by document; lists and fetches what is left', async () => {
      await store.deleteByIds(tenantA, ['a-1', 'missing']);
      expect(sorted((await store.listByDocuments(tenantA, ['doc-a'])).map((chunk) => chunk.id))).toEqual([
        'a-0',
        'a-2',
      ]);
      await store.deleteByDocument(tenantA, 'doc-b');
      expect(await store.count(tenantA)).toBe(2);
      expect(sorted(ids(await vectorSearch(tenantA)))).toEqual(['a-0', 'a-2']);
      const fetched = await store.fetch(tenantA, ['a-0', 'b-0']);
      expect(ids(fetched)).toEqual(['a-0']);
      expect(fetched[0]?.vector.map((value) => Math.round(value * 1000) / 1000)).toEqual(unit(0));
      expect(fetched[0]?.ordinal).toBe(0);
      const listed = await store.listByDocuments(tenantA, ['doc-a', 'doc-b', 'missing']);
      expect(listed.find((chunk) => chunk.id === 'a-2')?.metadata).toEqual(CONTRACT_RECORDS[2]?.metadata);
      expect(listed.find((chunk) => chunk.id === 'a-2')?.ordinal).toBe(2);
    });

    it('rejects vectors of the wrong length with DIMENSION_MISMATCH, writing nothing', async () => {
      const wrong = { ...(CONTRACT_RECORDS[0] as VectorRecord), id: 'wrong', vector: [1, 0, 0] };
      expect(await codeOf(store.upsert(tenantA, [CONTRACT_RECORDS[1] as VectorRecord, wrong]))).toBe(
        'DIMENSION_MISMATCH',
      );
      expect(await codeOf(store.search(tenantA, { mode: 'vector', vector: [1, 0], topK: 3 }))).toBe(
        'DIMENSION_MISMATCH',
      );
      expect(await store.count(tenantA)).toBe(CONTRACT_RECORDS.length);
    });

    if (capabilities.keyword) {
      it('ranks keyword queries by text relevance, with filters and free text', async () => {
        const hits = await store.search(tenantA, { mode: 'keyword', text: 'boundary layer', topK: 10 });
        expect(sorted(ids(hits))).toEqual(['a-1', 'b-1']);
        const filtered = await store.search(tenantA, {
          mode: 'keyword',
          text: 'boundary layer',
          topK: 10,
          filter: { field: 'lang', op: 'eq', value: 'de' },
        });
        expect(ids(filtered)).toEqual(['b-1']);
        const odd = await store.search(tenantA, {
          mode: 'keyword',
          text: 'turbine" AND (blades OR -cooling) ~ ^2 \\ :',
          topK: 10,
        });
        expect(ids(odd)[0]).toBe('a-0');
        expect(await store.search(tenantA, { mode: 'keyword', text: 'zzzunknownword', topK: 10 })).toEqual(
          [],
        );
      });

      it(`declares weighted terms ${capabilities.weightedTerms ? 'and ranks by them' : 'unsupported'}`, async () => {
        expect(store.capabilities.weightedTerms === true).toBe(capabilities.weightedTerms === true);
        if (!capabilities.weightedTerms) return;
        const order = async (query: {
          text: string;
          terms?: { term: string; weight: number }[];
        }): Promise<string[]> =>
          ids(await store.search(tenantA, { mode: 'keyword', topK: 10, ...query })).filter(
            (id) => id === 'a-0' || id === 'a-1',
          );
        // A word repeated in the query weighs as many times (a-0 is about turbines, a-1 about boundaries).
        expect(await order({ text: 'turbine turbine turbine boundary' })).toEqual(['a-0', 'a-1']);
        expect(await order({ text: 'boundary boundary boundary turbine' })).toEqual(['a-1', 'a-0']);
        // Analyzed terms (Porter stems) with weights replace the text.
        const terms = (turbine: number, boundary: number) => [
          { term: 'turbin', weight: turbine },
          { term: 'boundari', weight: boundary },
        ];
        expect(await order({ text: 'ignored', terms: terms(5, 0.1) })).toEqual(['a-0', 'a-1']);
        expect(await order({ text: 'ignored', terms: terms(0.1, 5) })).toEqual(['a-1', 'a-0']);
      });
    } else {
      it('declares keyword search unsupported with UNSUPPORTED_SEARCH_MODE', async () => {
        expect(await codeOf(store.search(tenantA, { mode: 'keyword', text: 'boundary', topK: 3 }))).toBe(
          'UNSUPPORTED_SEARCH_MODE',
        );
      });
    }
  });
}
