/**
 * Test helpers for `@ai-scale/persistence` and its users: the engine contract suite, and a
 * migrated private in-memory SQLite database for other packages' and the server's tests.
 */
import type { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';

export {
  persistenceContract,
  type ContractTestApi,
  type PersistenceCapabilities,
  type PersistenceContractFixture,
} from './persistence-contract';

/** A private, migrated in-memory SQLite database; `destroy()` it in `afterAll`. */
export function openTestDatabase(): Promise<DataSource> {
  return openDatabase({ url: 'sqlite::memory:' });
}
