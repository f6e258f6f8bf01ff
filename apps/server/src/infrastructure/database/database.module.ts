import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONVERSATION_STORE } from '../../modules/conversations/conversation.store';
import { DOCUMENT_STORE } from '../../modules/documents/document.store';
import { TENANT_STORE } from '../../modules/tenants/tenant.store';
import {
  ConfigurableModuleClass,
  type DatabaseModuleOptions,
  MODULE_OPTIONS_TOKEN,
} from './database.module-definition';

/** The TypeORM DataSource, for adapters that persist through it (the usage ledger). */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

/** The stores of tenants, documents and conversations (SQLite embedded, PostgreSQL in production). */
@Global()
@Module({
  providers: [
    {
      provide: TENANT_STORE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: DatabaseModuleOptions) => options.tenants,
    },
    {
      provide: DOCUMENT_STORE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: DatabaseModuleOptions) => options.documents,
    },
    {
      provide: CONVERSATION_STORE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: DatabaseModuleOptions) => options.conversations,
    },
    {
      provide: DATA_SOURCE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: DatabaseModuleOptions) => options.dataSource,
    },
  ],
  exports: [TENANT_STORE, DOCUMENT_STORE, CONVERSATION_STORE, DATA_SOURCE],
})
export class DatabaseModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(MODULE_OPTIONS_TOKEN) private readonly options: DatabaseModuleOptions) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.options.close();
  }
}
