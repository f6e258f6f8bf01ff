import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type KeyValueCache } from '@ai-scale/cache';
import {
  type CacheModuleOptions,
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
} from './cache.module-definition';

export const KEY_VALUE_CACHE = Symbol('KEY_VALUE_CACHE');
export const RESPONSE_CACHE = Symbol('RESPONSE_CACHE');
export const InjectKeyValueCache = (): PropertyDecorator & ParameterDecorator => Inject(KEY_VALUE_CACHE);
export const InjectResponseCache = (): PropertyDecorator & ParameterDecorator => Inject(RESPONSE_CACHE);

/** The key-value cache and the LLM answer cache built on it (memory embedded, Redis in production). */
@Global()
@Module({
  providers: [
    {
      provide: KEY_VALUE_CACHE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: CacheModuleOptions) => options.keyValue,
    },
    {
      provide: RESPONSE_CACHE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: CacheModuleOptions) => options.responses,
    },
  ],
  exports: [KEY_VALUE_CACHE, RESPONSE_CACHE],
})
export class CacheModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(
    @Inject(KEY_VALUE_CACHE) private readonly cache: KeyValueCache,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: CacheModuleOptions,
  ) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.options.close?.();
    await this.cache.close();
  }
}
