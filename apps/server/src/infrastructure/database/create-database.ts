import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { openDatabase, pingDatabase } from '@ai-scale/persistence';
import { type AppConfig } from '../../config';
import { type DatabaseModuleOptions } from './database.module-definition';
import { TypeormConversationStore, TypeormDocumentStore, TypeormTenantStore } from './typeorm-stores';

/**
 * Opens DATABASE_URL (SQLite under DATA_DIR embedded, PostgreSQL in production), runs the pending
 * migrations (several replicas starting at once migrate one after the other), and builds the stores.
 */
export async function createDatabase(config: AppConfig): Promise<DatabaseModuleOptions> {
  if (config.DATABASE_URL.startsWith('sqlite:') && !config.DATABASE_URL.includes(':memory:')) {
    await mkdir(path.dirname(config.DATABASE_URL.slice('sqlite:'.length)), { recursive: true });
  }
  const dataSource = await openDatabase({ url: config.DATABASE_URL });
  return {
    dataSource,
    tenants: new TypeormTenantStore(dataSource),
    documents: new TypeormDocumentStore(dataSource),
    conversations: new TypeormConversationStore(dataSource),
    ping: () => pingDatabase(dataSource),
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
