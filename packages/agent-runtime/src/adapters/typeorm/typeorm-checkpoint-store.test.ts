import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, Tenant } from '@ai-scale/persistence';
import type { DataSource } from 'typeorm';
import { checkpointStoreContract } from '../../testing';
import { TypeormCheckpointStore } from './typeorm-checkpoint-store';

describe('TypeormCheckpointStore on SQLite (better-sqlite3, a file)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'agent-runtime-'));
  const url = `sqlite:${join(directory, 'runs.db')}`;
  const opened: DataSource[] = [];
  let dataSource: DataSource;
  let tenantId: string;

  beforeAll(async () => {
    dataSource = await openDatabase({ url });
    opened.push(dataSource);
    const tenant = await dataSource
      .getRepository(Tenant)
      .save(dataSource.getRepository(Tenant).create({ name: 'contract' }));
    tenantId = tenant.id;
  });

  afterAll(async () => {
    await Promise.all(opened.map((source) => source.destroy()));
    rmSync(directory, { recursive: true, force: true });
  });

  checkpointStoreContract({ describe, it }, () => new TypeormCheckpointStore({ dataSource }), {
    get tenantId() {
      return tenantId;
    },
    durable: true,
    reopen: async () => {
      const again = await openDatabase({ url });
      opened.push(again);
      return new TypeormCheckpointStore({ dataSource: again });
    },
  });
});
