import { Tenant } from '@ai-scale/persistence';
import { openTestDatabase } from '@ai-scale/persistence/testing';
import { openDatabase } from '@ai-scale/persistence';
import { createThrowawayPostgresDatabase, describeWithPostgres } from '@ai-scale/testkit';
import type { DataSource } from 'typeorm';
import { usageLedgerContract } from '../../testing';
import { TypeormUsageLedger } from './typeorm-usage-ledger';

function fixture(dataSource: DataSource, close: () => Promise<void>) {
  let count = 0;
  return {
    ledger: new TypeormUsageLedger({ dataSource }),
    createTenant: async () => {
      const tenant = dataSource.getRepository(Tenant).create({ name: `ledger-tenant-${++count}` });
      return (await dataSource.getRepository(Tenant).save(tenant)).id;
    },
    close,
  };
}

usageLedgerContract(
  { describe, it, beforeAll, afterAll },
  'typeorm on SQLite (in memory, migrated)',
  async () => {
    const dataSource = await openTestDatabase();
    return fixture(dataSource, () => dataSource.destroy());
  },
);

describeWithPostgres('TypeormUsageLedger on PostgreSQL', () => {
  usageLedgerContract(
    { describe, it, beforeAll, afterAll },
    'typeorm on PostgreSQL (throwaway database)',
    async () => {
      const database = await createThrowawayPostgresDatabase('llm_ledger');
      const dataSource = await openDatabase({ url: database.url });
      return fixture(dataSource, async () => {
        await dataSource.destroy();
        await database.drop();
      });
    },
  );
});

describe('TypeormUsageLedger columns beyond the port’s sums', () => {
  it('stores whether the usage was the provider’s or counted, and the cache-write tokens', async () => {
    const dataSource = await openTestDatabase();
    try {
      const { ledger, createTenant } = fixture(dataSource, () => Promise.resolve());
      const tenantId = await createTenant();
      const base = {
        tenantId,
        at: new Date(),
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        promptTokens: 100,
        completionTokens: 7,
        cachedTokens: 0,
        costUsd: 0.000135,
        cacheKind: null,
        savedTokens: 0,
        savedCostUsd: 0,
      };
      await ledger.record({ ...base, requestId: 'streamed-aborted', usageSource: 'counted' });
      await ledger.record({ ...base, requestId: 'plain', cacheWriteTokens: 60 });
      const rows: { request_id: string; usage_source: string; cache_write_tokens: number }[] =
        await dataSource.query(
          'SELECT request_id, usage_source, cache_write_tokens FROM usage_records ORDER BY request_id',
        );
      expect(rows.map((row) => [row.request_id, row.usage_source, Number(row.cache_write_tokens)])).toEqual([
        ['plain', 'provider', 60],
        ['streamed-aborted', 'counted', 0],
      ]);
    } finally {
      await dataSource.destroy();
    }
  });
});
