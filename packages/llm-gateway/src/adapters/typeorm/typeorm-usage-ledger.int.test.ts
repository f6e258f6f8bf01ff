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
