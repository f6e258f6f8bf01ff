import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type LlmGateway, type UsageLedger } from '@ai-scale/llm-gateway';

export interface LlmModuleOptions {
  readonly gateway: LlmGateway;
  readonly ledger: UsageLedger;
  /** The model ids a chat request may name (`model`). */
  readonly models: readonly string[];
  /** Releases what the gateway holds (the Redis connection of its limit stores). */
  readonly close?: () => Promise<void>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<LlmModuleOptions>().setClassMethodName('forRoot').build();
