import { Global, Inject, Module } from '@nestjs/common';
import { AgentRuntime, MemoryCheckpointStore, researchAgent } from '@ai-scale/agent-runtime';
import { parseDocument, type BlobStore } from '@ai-scale/documents';
import { type JobQueue } from '@ai-scale/queue';
import { type Retrieval } from '@ai-scale/retrieval';
import { type DataSource } from 'typeorm';
import { BLOB_STORE } from '../blobs/blob-store.module';
import { DATA_SOURCE } from '../database/database.module';
import { JOB_QUEUE } from '../queue/queue.module';
import { LLM_GATEWAY } from '../llm/llm.module';
import { type LlmGateway } from '@ai-scale/llm-gateway';
import { RETRIEVAL } from '../retrieval/retrieval.module';
import { blobKeyOf } from '../../modules/documents/ingest-job';

export const AGENT_RUNTIME = Symbol('AGENT_RUNTIME');
export const InjectAgentRuntime = (): PropertyDecorator & ParameterDecorator => Inject(AGENT_RUNTIME);

/**
 * The agent runtime: runs are queue jobs (`agent.run`) checkpointed in the database (TypeORM) so a
 * run survives a worker crash and can be paused and resumed. Registers the `research` demo agent,
 * whose tools search the tenant's index and read the tenant's documents.
 */
@Global()
@Module({
  providers: [
    {
      provide: AGENT_RUNTIME,
      inject: [DATA_SOURCE, JOB_QUEUE, RETRIEVAL, BLOB_STORE, LLM_GATEWAY],
      useFactory: async (
        dataSource: DataSource | undefined,
        queue: JobQueue,
        retrieval: Retrieval,
        blobs: BlobStore,
        gateway: LlmGateway,
      ) => {
        let store;
        if (dataSource) {
          const { TypeormCheckpointStore } = await import('@ai-scale/agent-runtime/typeorm');
          store = new TypeormCheckpointStore({ dataSource });
        } else {
          store = new MemoryCheckpointStore();
        }
        const research = researchAgent({
          gateway,
          search: ({ tenantId, query, topK }) =>
            retrieval.search({ tenantId, query, topK: topK ?? 5, mode: 'hybrid' }),
          readDocument: async ({ tenantId, documentId }) => {
            const bytes = await blobs.get(blobKeyOf(tenantId, documentId));
            if (!bytes) return null;
            const parsed = await parseDocument(bytes);
            return { documentId, text: parsed.text, ...(parsed.title ? { title: parsed.title } : {}) };
          },
        });
        return new AgentRuntime({ store, queue, agents: [research] });
      },
    },
  ],
  exports: [AGENT_RUNTIME],
})
export class AgentsInfrastructureModule {}
