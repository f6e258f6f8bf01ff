import { type AppConfig } from '../../config';
import { MemoryTenantStore } from '../../modules/tenants/memory-tenant.store';
import { type DatabaseModuleOptions } from './database.module-definition';
import { MemoryConversationStore, MemoryDocumentStore } from './memory-stores';

/**
 * Picks the stores for DATABASE_URL.
 * TODO(persistence): TypeORM stores over `createDataSource({ url })` from @ai-scale/persistence
 * (SQLite under DATA_DIR, PostgreSQL); until it is published the stores live in memory.
 */
export async function createDatabase(config: AppConfig): Promise<DatabaseModuleOptions> {
  void config;
  return {
    tenants: new MemoryTenantStore(),
    documents: new MemoryDocumentStore(),
    conversations: new MemoryConversationStore(),
    ping: async () => {},
    close: async () => {},
  };
}
