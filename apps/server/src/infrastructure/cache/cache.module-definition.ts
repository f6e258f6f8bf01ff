import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type KeyValueCache, type LlmResponseCache } from '@ai-scale/cache';

export interface CacheModuleOptions {
  readonly keyValue: KeyValueCache;
  readonly responses: LlmResponseCache;
  readonly ping: () => Promise<void>;
  /** Releases what the answer cache holds besides the key-value cache (the semantic index's connections). */
  readonly close?: () => Promise<void>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<CacheModuleOptions>().setClassMethodName('forRoot').build();
