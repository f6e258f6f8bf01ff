import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type VectorStore } from '@ai-scale/retrieval';
import {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
  type RetrievalModuleOptions,
} from './retrieval.module-definition';

export const RETRIEVAL = Symbol('RETRIEVAL');
export const EMBEDDER = Symbol('EMBEDDER');
/** The vector store itself, for maintenance jobs (`optimize()`); request paths go through RETRIEVAL. */
export const VECTOR_STORE = Symbol('VECTOR_STORE');
export const InjectRetrieval = (): PropertyDecorator & ParameterDecorator => Inject(RETRIEVAL);
export const InjectEmbedder = (): PropertyDecorator & ParameterDecorator => Inject(EMBEDDER);

/** Chunking, embedding, the vector store and search (memory / LanceDB / Pinecone). */
@Global()
@Module({
  providers: [
    {
      provide: RETRIEVAL,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: RetrievalModuleOptions) => options.retrieval,
    },
    {
      provide: EMBEDDER,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: RetrievalModuleOptions) => options.embedder,
    },
    {
      provide: VECTOR_STORE,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: RetrievalModuleOptions) => options.store,
    },
  ],
  exports: [RETRIEVAL, EMBEDDER, VECTOR_STORE],
})
export class RetrievalModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  private readonly store: VectorStore;
  private readonly closeRest: (() => Promise<void>) | undefined;

  constructor(@Inject(MODULE_OPTIONS_TOKEN) options: RetrievalModuleOptions) {
    super();
    this.store = options.store;
    this.closeRest = options.close;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.closeRest?.();
  }
}
