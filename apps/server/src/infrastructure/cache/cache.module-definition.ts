import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type KeyValueCache, type LlmResponseCache } from '@ai-scale/cache';

export interface CacheModuleOptions {
  readonly keyValue: KeyValueCache;
  readonly responses: LlmResponseCache;
  readonly ping: () => Promise<void>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<CacheModuleOptions>().setClassMethodName('forRoot').build();
