import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { updateAgentRunIfVersion } from '../agent-runs';
import { generateApiKey, hashApiKey } from '../api-keys';
import { isForeignKeyViolation, isUniqueViolation } from '../constraint-errors';
import { openDatabase, runMigrations } from '../data-source';
import {
  AgentRun,
  AgentStep,
  ApiKey,
  Chunk,
  Conversation,
  Document,
  Message,
  Tenant,
  ToolCallRecord,
  UsageRecord,
} from '../entities';
import { MIGRATIONS } from '../migrations';

/** The test functions the suite needs (jest's and vitest's globals fit). */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
  beforeAll(body: () => unknown, timeoutMs?: number): void;
  afterAll(body: () => unknown, timeoutMs?: number): void;
}

export interface PersistenceContractFixture {
  /** The URL of a new, empty database (a fresh one per call). */
  createDatabaseUrl(): Promise<string>;
  /** Runs once after the suite (drop the databases, delete the files). */
  cleanup?(): Promise<void>;
}

/** Opt-outs, declared in one place by the engine's test. */
export interface PersistenceCapabilities {
  /** Several processes may open the same empty database at once and all migrate safely (default true). */
  readonly concurrentStartup?: boolean;
  /**
   * Statements of TypeORM's schema diff (entities versus the migrated schema) that are expected;
   * any other statement fails the suite. Default: none. PostgreSQL tolerates its timestamp columns:
   * they are `timestamptz`, which the entity metadata (shared with SQLite) cannot spell, so the
   * diff reports them although reads and writes are correct (the suite checks those).
   */
  readonly toleratedSchemaDiff?: RegExp;
}

const TABLES = [
  'tenants',
  'api_keys',
  'documents',
  'chunks',
  'conversations',
  'messages',
  'usage_records',
  'agent_runs',
  'agent_steps',
  'tool_call_records',
] as const;

async function rejectsWith(promise: Promise<unknown>, predicate: (error: unknown) => boolean, what: string) {
  try {
    await promise;
  } catch (error) {
    assert.ok(predicate(error), `expected ${what}, got ${String(error)}`);
    return;
  }
  assert.fail(`expected ${what}, but the write succeeded`);
}

/**
 * The guarantees of `@ai-scale/persistence`, run against one engine: migrations from empty and on
 * restart, every entity's round trip, the unique and foreign-key constraints, cascades, hashed API
 * keys, compare-and-set on agent runs.
 */
export function persistenceContract(
  test: ContractTestApi,
  fixture: PersistenceContractFixture,
  capabilities: PersistenceCapabilities = {},
): void {
  const { describe, it, beforeAll, afterAll } = test;
  const { concurrentStartup = true, toleratedSchemaDiff } = capabilities;

  afterAll(async () => {
    await fixture.cleanup?.();
  });

  describe('migrations', () => {
    it('create every table from an empty database and are a no-op on restart', async () => {
      const url = await fixture.createDatabaseUrl();
      const first = await openDatabase({ url });
      try {
        const runner = first.createQueryRunner();
        try {
          for (const table of TABLES) assert.ok(await runner.hasTable(table), `table ${table} exists`);
        } finally {
          await runner.release();
        }
        const [tenant] = await first
          .getRepository(Tenant)
          .save([first.getRepository(Tenant).create({ name: 'kept' })]);
        assert.deepEqual(await runMigrations(first), [], 'nothing pending on the same connection');
        await first.destroy();

        const second = await openDatabase({ url });
        try {
          assert.deepEqual(await runMigrations(second), []);
          const applied = (await second.query('SELECT name FROM migrations')) as { name: string }[];
          assert.deepEqual(
            Array.from(applied, (row) => row.name),
            MIGRATIONS.map((migration) => migration.name),
          );
          assert.equal((await second.getRepository(Tenant).findOneBy({ id: tenant!.id }))?.name, 'kept');
        } finally {
          await second.destroy();
        }
      } finally {
        if (first.isInitialized) await first.destroy();
      }
    });

    if (concurrentStartup) {
      it('are applied once when several processes start on the same empty database at once', async () => {
        const url = await fixture.createDatabaseUrl();
        const sources = await Promise.all([1, 2, 3].map(() => openDatabase({ url })));
        try {
          const rows = (await sources[0]!.query('SELECT name FROM migrations')) as unknown[];
          assert.equal(rows.length, MIGRATIONS.length);
        } finally {
          await Promise.all(sources.map((source) => source.destroy()));
        }
      });
    }

    {
      it('produce exactly the schema the entities describe', async () => {
        const dataSource = await openDatabase({ url: await fixture.createDatabaseUrl() });
        try {
          const diff = await dataSource.driver.createSchemaBuilder().log();
          assert.deepEqual(
            diff.upQueries
              .map((query) => query.query)
              .filter((query) => !(toleratedSchemaDiff?.test(query) ?? false)),
            [],
            'synchronize would change nothing',
          );
        } finally {
          await dataSource.destroy();
        }
      });
    }
  });

  describe('entities and constraints', () => {
    let db: DataSource;
    let tenant: Tenant;
    let otherTenant: Tenant;

    const save = <T extends object>(entity: new () => T, values: Partial<T>): Promise<T> => {
      const repository = db.getRepository(entity);
      return repository.save(repository.create(values as never) as unknown as T);
    };

    beforeAll(async () => {
      db = await openDatabase({ url: await fixture.createDatabaseUrl() });
      tenant = await save(Tenant, { name: 'Acme', dailyBudgetUsd: 12.5, rateLimitPerMinute: 600 });
      otherTenant = await save(Tenant, { name: 'Globex' });
    });
    afterAll(async () => {
      await db?.destroy();
    });

    it('round-trips a tenant with defaults, nullable limits and timestamps', async () => {
      const loaded = await db.getRepository(Tenant).findOneByOrFail({ id: tenant.id });
      assert.match(loaded.id, /^[0-9a-f-]{36}$/);
      assert.equal(loaded.status, 'active');
      assert.equal(loaded.dailyBudgetUsd, 12.5);
      assert.equal(loaded.monthlyBudgetUsd, null);
      assert.equal(loaded.rateLimitPerMinute, 600);
      assert.ok(loaded.createdAt instanceof Date && !Number.isNaN(loaded.createdAt.getTime()));
      assert.ok(
        Math.abs(loaded.createdAt.getTime() - Date.now()) < 24 * 3600 * 1000,
        'createdAt is now-ish, any time zone',
      );
      loaded.status = 'suspended';
      await db.getRepository(Tenant).save(loaded);
      assert.equal((await db.getRepository(Tenant).findOneByOrFail({ id: tenant.id })).status, 'suspended');
    });

    it('stores an API key by hash and prefix only, never the plaintext', async () => {
      const key = generateApiKey();
      const saved = await save(ApiKey, {
        tenantId: tenant.id,
        prefix: key.prefix,
        keyHash: key.hash,
        name: 'ci',
      });
      // Every column of the raw row, as the database holds it.
      const rows: Record<string, unknown>[] = await db
        .createQueryBuilder()
        .select('*')
        .from('api_keys', 'key')
        .where('key.id = :id', { id: saved.id })
        .getRawMany();
      assert.equal(rows.length, 1);
      for (const value of Object.values(rows[0]!)) {
        assert.ok(!String(value).includes(key.plaintext), 'no column holds the plaintext');
      }
      const found = await db.getRepository(ApiKey).findOneByOrFail({ keyHash: hashApiKey(key.plaintext) });
      assert.equal(found.id, saved.id);
      assert.equal(found.revokedAt, null);
      assert.equal(found.monthlyBudgetUsd, null, 'a key has no budget of its own unless given one');
      found.monthlyBudgetUsd = 12.5;
      await db.getRepository(ApiKey).save(found);
      assert.equal((await db.getRepository(ApiKey).findOneByOrFail({ id: saved.id })).monthlyBudgetUsd, 12.5);
      await rejectsWith(
        save(ApiKey, { tenantId: otherTenant.id, prefix: key.prefix, keyHash: key.hash }),
        isUniqueViolation,
        'a unique violation on key_hash',
      );
      found.revokedAt = new Date('2026-01-02T03:04:05.000Z');
      await db.getRepository(ApiKey).save(found);
      const revoked = await db.getRepository(ApiKey).findOneByOrFail({ id: saved.id });
      assert.equal(revoked.revokedAt?.toISOString(), '2026-01-02T03:04:05.000Z');
    });

    it('round-trips documents and chunks, and rejects a duplicate chunk hash in the same document', async () => {
      const document = await save(Document, {
        tenantId: tenant.id,
        title: 'Handbook',
        mimeType: 'text/markdown',
        sizeBytes: 1234,
        contentHash: 'a'.repeat(64),
        metadata: { source: 'upload', tags: ['hr', 'policy'], nested: { pages: 3 } },
      });
      const loaded = await db.getRepository(Document).findOneByOrFail({ id: document.id });
      assert.equal(loaded.status, 'pending');
      assert.equal(loaded.chunkCount, 0);
      assert.equal(loaded.error, null);
      assert.deepEqual(loaded.metadata, { source: 'upload', tags: ['hr', 'policy'], nested: { pages: 3 } });
      loaded.status = 'failed';
      loaded.error = { code: 'PARSE_FAILED', message: 'bad pdf' };
      await db.getRepository(Document).save(loaded);
      assert.deepEqual((await db.getRepository(Document).findOneByOrFail({ id: document.id })).error, {
        code: 'PARSE_FAILED',
        message: 'bad pdf',
      });

      const chunk = {
        tenantId: tenant.id,
        documentId: document.id,
        contentHash: 'b'.repeat(64),
        tokenCount: 3,
      };
      await save(Chunk, { ...chunk, ordinal: 0, text: 'hello world', metadata: { page: 1 } });
      const stored = await db.getRepository(Chunk).findOneByOrFail({ documentId: document.id, ordinal: 0 });
      assert.equal(stored.text, 'hello world');
      assert.deepEqual(stored.metadata, { page: 1 });
      await rejectsWith(
        save(Chunk, { ...chunk, ordinal: 1, text: 'hello world' }),
        isUniqueViolation,
        'a duplicate chunk',
      );
      // The same text in another document is another chunk.
      const other = await save(Document, {
        tenantId: tenant.id,
        title: 'Copy',
        mimeType: 'text/plain',
        sizeBytes: 1,
        contentHash: 'c'.repeat(64),
      });
      await save(Chunk, { ...chunk, documentId: other.id, ordinal: 0, text: 'hello world' });
      await rejectsWith(
        save(Chunk, { ...chunk, documentId: '00000000-0000-4000-8000-000000000000', ordinal: 0, text: 'x' }),
        isForeignKeyViolation,
        'a foreign-key violation for an unknown document',
      );
    });

    it('round-trips conversations and messages, and rejects a taken ordinal', async () => {
      const conversation = await save(Conversation, { tenantId: tenant.id, title: 'Leave policy' });
      const loaded = await db.getRepository(Conversation).findOneByOrFail({ id: conversation.id });
      assert.equal(loaded.summarizedUpTo, 0);
      assert.equal(loaded.summary, null);
      const base = { conversationId: conversation.id, tenantId: tenant.id };
      await save(Message, { ...base, ordinal: 0, role: 'user', content: 'How many days?', tokenCount: 4 });
      await save(Message, {
        ...base,
        ordinal: 1,
        role: 'assistant',
        content: '25 days.',
        tokenCount: 3,
        citations: [{ documentId: 'd1', chunkId: 'c1', score: 0.91 }],
      });
      const messages = await db
        .getRepository(Message)
        .find({ where: { conversationId: conversation.id }, order: { ordinal: 'ASC' } });
      assert.deepEqual(
        messages.map((message) => [message.ordinal, message.role, message.citations]),
        [
          [0, 'user', []],
          [1, 'assistant', [{ documentId: 'd1', chunkId: 'c1', score: 0.91 }]],
        ],
      );
      await rejectsWith(
        save(Message, { ...base, ordinal: 1, role: 'assistant', content: 'again' }),
        isUniqueViolation,
        'a unique violation on (conversation, ordinal)',
      );
      loaded.summary = 'asked about leave';
      loaded.summarizedUpTo = 2;
      await db.getRepository(Conversation).save(loaded);
      assert.equal(
        (await db.getRepository(Conversation).findOneByOrFail({ id: conversation.id })).summarizedUpTo,
        2,
      );
    });

    it('records usage and sums cost per tenant and day through the (tenant, day) index', async () => {
      const record = { tenantId: tenant.id, day: '2026-11-26', provider: 'openai', model: 'gpt-4o-mini' };
      await save(UsageRecord, {
        ...record,
        requestId: 'r1',
        promptTokens: 100,
        completionTokens: 20,
        costUsd: 0.000123,
      });
      await save(UsageRecord, {
        ...record,
        requestId: 'r2',
        cacheKind: 'semantic',
        savedTokens: 120,
        savedCostUsd: 0.000123,
      });
      await save(UsageRecord, { ...record, day: '2026-11-25', requestId: 'r0', costUsd: 5 });
      const total = (await db
        .getRepository(UsageRecord)
        .createQueryBuilder('usage')
        .select('SUM(usage.costUsd)', 'cost')
        .addSelect('SUM(usage.savedTokens)', 'saved')
        .where('usage.tenantId = :tenantId AND usage.day = :day', { tenantId: tenant.id, day: '2026-11-26' })
        .getRawOne()) as { cost: number | string; saved: number | string };
      assert.ok(Math.abs(Number(total.cost) - 0.000123) < 1e-12, 'double precision keeps micro-dollars');
      assert.equal(Number(total.saved), 120);
      const hit = await db.getRepository(UsageRecord).findOneByOrFail({ requestId: 'r2' });
      assert.equal(hit.cacheKind, 'semantic');
      assert.equal(hit.costUsd, 0);
    });

    it('keeps agent runs, their steps and tool calls, with compare-and-set on the version', async () => {
      const run = await save(AgentRun, {
        tenantId: tenant.id,
        agent: 'researcher',
        state: 'running',
        input: { question: 'why?' },
        toolVersions: { search: '1.2.0' },
      });
      assert.equal(run.version, 1);
      const loaded = await db.getRepository(AgentRun).findOneByOrFail({ id: run.id });
      assert.deepEqual(loaded.input, { question: 'why?' });
      assert.deepEqual(loaded.usage, {});
      assert.equal(loaded.output, null);

      const next = await updateAgentRunIfVersion(db, tenant.id, run.id, 1, {
        state: 'waiting',
        stepCount: 1,
      });
      assert.equal(next, 2);
      assert.equal(
        await updateAgentRunIfVersion(db, tenant.id, run.id, 1, { state: 'failed' }),
        undefined,
        'a stale writer loses',
      );
      assert.equal(
        await updateAgentRunIfVersion(db, otherTenant.id, run.id, 2, { state: 'failed' }),
        undefined,
        'another tenant cannot touch the run',
      );
      const after = await db.getRepository(AgentRun).findOneByOrFail({ id: run.id });
      assert.equal(after.state, 'waiting');
      assert.equal(after.version, 2);
      after.output = ['answer', 42];
      await db.getRepository(AgentRun).save(after);
      assert.equal(
        (await db.getRepository(AgentRun).findOneByOrFail({ id: run.id })).version,
        3,
        'save() bumps it too',
      );

      await save(AgentStep, { runId: run.id, ordinal: 0, kind: 'model', payload: { text: 'thinking' } });
      await rejectsWith(
        save(AgentStep, { runId: run.id, ordinal: 0, kind: 'model', payload: null }),
        isUniqueViolation,
        'a unique violation on (run, ordinal)',
      );
      await save(ToolCallRecord, {
        runId: run.id,
        idempotencyKey: `${run.id}:search:0`,
        result: { hits: 3 },
      });
      const recorded = await db
        .getRepository(ToolCallRecord)
        .findOneByOrFail({ idempotencyKey: `${run.id}:search:0` });
      assert.deepEqual(recorded.result, { hits: 3 });
      await rejectsWith(
        save(ToolCallRecord, { runId: run.id, idempotencyKey: `${run.id}:search:0`, result: null }),
        isUniqueViolation,
        'a completed tool call cannot be recorded twice',
      );
    });

    it('deletes everything a tenant owns with it, and nothing of another tenant', async () => {
      const doomed = await save(Tenant, { name: 'Doomed' });
      const document = await save(Document, {
        tenantId: doomed.id,
        title: 't',
        mimeType: 'text/plain',
        sizeBytes: 1,
        contentHash: 'd'.repeat(64),
      });
      await save(Chunk, {
        tenantId: doomed.id,
        documentId: document.id,
        ordinal: 0,
        contentHash: 'e'.repeat(64),
        text: 'x',
        tokenCount: 1,
      });
      const conversation = await save(Conversation, { tenantId: doomed.id });
      await save(Message, {
        conversationId: conversation.id,
        tenantId: doomed.id,
        ordinal: 0,
        role: 'user',
        content: 'hi',
      });
      const key = generateApiKey();
      await save(ApiKey, { tenantId: doomed.id, prefix: key.prefix, keyHash: key.hash });
      await save(UsageRecord, {
        tenantId: doomed.id,
        requestId: 'rx',
        day: '2026-11-26',
        provider: 'p',
        model: 'm',
      });
      const run = await save(AgentRun, { tenantId: doomed.id, agent: 'a', state: 'running', input: null });
      await save(AgentStep, { runId: run.id, ordinal: 0, kind: 'model', payload: {} });
      await save(ToolCallRecord, { runId: run.id, idempotencyKey: `${run.id}:t:0`, result: {} });

      const countOwned = async () => ({
        documents: await db.getRepository(Document).countBy({ tenantId: doomed.id }),
        chunks: await db.getRepository(Chunk).countBy({ tenantId: doomed.id }),
        conversations: await db.getRepository(Conversation).countBy({ tenantId: doomed.id }),
        messages: await db.getRepository(Message).countBy({ tenantId: doomed.id }),
        apiKeys: await db.getRepository(ApiKey).countBy({ tenantId: doomed.id }),
        usage: await db.getRepository(UsageRecord).countBy({ tenantId: doomed.id }),
        runs: await db.getRepository(AgentRun).countBy({ tenantId: doomed.id }),
        steps: await db.getRepository(AgentStep).countBy({ runId: run.id }),
        toolCalls: await db.getRepository(ToolCallRecord).countBy({ runId: run.id }),
      });
      assert.deepEqual(Object.values(await countOwned()), [1, 1, 1, 1, 1, 1, 1, 1, 1]);
      const othersBefore = await db.getRepository(Document).countBy({ tenantId: tenant.id });

      await db.getRepository(Tenant).delete({ id: doomed.id });

      assert.deepEqual(Object.values(await countOwned()), [0, 0, 0, 0, 0, 0, 0, 0, 0]);
      assert.equal(await db.getRepository(Document).countBy({ tenantId: tenant.id }), othersBefore);
      assert.ok(othersBefore > 0);
    });

    it("deletes a document's chunks with it", async () => {
      const document = await save(Document, {
        tenantId: otherTenant.id,
        title: 't',
        mimeType: 'text/plain',
        sizeBytes: 1,
        contentHash: 'f'.repeat(64),
      });
      await save(Chunk, {
        tenantId: otherTenant.id,
        documentId: document.id,
        ordinal: 0,
        contentHash: '1'.repeat(64),
        text: 'x',
        tokenCount: 1,
      });
      await db.getRepository(Document).delete({ id: document.id });
      assert.equal(await db.getRepository(Chunk).countBy({ documentId: document.id }), 0);
    });

    it('rejects rows of an unknown tenant', async () => {
      await rejectsWith(
        save(Conversation, { tenantId: '00000000-0000-4000-8000-000000000000' }),
        isForeignKeyViolation,
        'a foreign-key violation',
      );
    });
  });
}
