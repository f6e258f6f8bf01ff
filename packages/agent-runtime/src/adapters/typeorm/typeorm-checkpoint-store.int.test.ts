import { openDatabase, Tenant } from '@ai-scale/persistence';
import {
  createThrowawayPostgresDatabase,
  describeWithPostgres,
  type ThrowawayDatabase,
} from '@ai-scale/testkit';
import type { DataSource } from 'typeorm';
import { checkpointStoreContract } from '../../testing';
import { TypeormCheckpointStore } from './typeorm-checkpoint-store';

describeWithPostgres('TypeormCheckpointStore on PostgreSQL', () => {
  let database: ThrowawayDatabase;
  const opened: DataSource[] = [];
  let dataSource: DataSource;
  let tenantId: string;

  beforeAll(async () => {
    database = await createThrowawayPostgresDatabase('agent_runtime');
    dataSource = await openDatabase({ url: database.url, poolSize: 4 });
    opened.push(dataSource);
    const tenant = await dataSource
      .getRepository(Tenant)
      .save(dataSource.getRepository(Tenant).create({ name: 'contract' }));
    tenantId = tenant.id;
  });

  afterAll(async () => {
    await Promise.all(opened.map((source) => source.destroy()));
    await database?.drop();
  });

  checkpointStoreContract({ describe, it }, () => new TypeormCheckpointStore({ dataSource }), {
    get tenantId() {
      return tenantId;
    },
    durable: true,
    reopen: async () => {
      const again = await openDatabase({ url: database.url, poolSize: 2 });
      opened.push(again);
      return new TypeormCheckpointStore({ dataSource: again });
    },
  });
});
