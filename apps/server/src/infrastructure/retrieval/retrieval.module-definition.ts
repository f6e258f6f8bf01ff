import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type Embedder, type Retrieval, type VectorStore } from '@ai-scale/retrieval';

export interface RetrievalModuleOptions {
  readonly retrieval: Retrieval;
  readonly store: VectorStore;
  readonly embedder: Embedder;
  /** Releases what else the retrieval holds (the Redis embedding cache's connection). */
  readonly close?: () => Promise<void>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<RetrievalModuleOptions>().setClassMethodName('forRoot').build();
