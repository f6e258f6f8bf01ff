import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { type ConversationStore } from '../../modules/conversations/conversation.store';
import { type DocumentStore } from '../../modules/documents/document.store';
import { type TenantStore } from '../../modules/tenants/tenant.store';

/** What the database module hands out: the server's stores, whatever engine is behind them. */
export interface DatabaseModuleOptions {
  /** The TypeORM DataSource (for adapters of other packages that persist through it), if any. */
  readonly dataSource?: DataSource;
  readonly tenants: TenantStore;
  readonly documents: DocumentStore;
  readonly conversations: ConversationStore;
  /** Probe for `/health/ready`. */
  readonly ping: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<DatabaseModuleOptions>().setClassMethodName('forRoot').build();
