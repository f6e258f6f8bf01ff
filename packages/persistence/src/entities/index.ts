import { AgentRun } from './agent-run.entity';
import { AgentStep } from './agent-step.entity';
import { ApiKey } from './api-key.entity';
import { Chunk } from './chunk.entity';
import { Conversation } from './conversation.entity';
import { Document } from './document.entity';
import { Message } from './message.entity';
import { Tenant } from './tenant.entity';
import { ToolCallRecord } from './tool-call-record.entity';
import { UsageRecord } from './usage-record.entity';

export { IdentifiedEntity, type JsonObject, type JsonValue } from './base';
export { Tenant, type TenantStatus } from './tenant.entity';
export { ApiKey } from './api-key.entity';
export { Document, type DocumentStatus } from './document.entity';
export { Chunk } from './chunk.entity';
export { Conversation } from './conversation.entity';
export { Message, type MessageRole } from './message.entity';
export { UsageRecord, type CacheKind, type UsageSource } from './usage-record.entity';
export { AgentRun } from './agent-run.entity';
export { AgentStep } from './agent-step.entity';
export { ToolCallRecord } from './tool-call-record.entity';

/** Every entity, for `DataSource` options (`entities: ENTITIES`) and `TypeOrmModule.forFeature`. */
export const ENTITIES = [
  Tenant,
  ApiKey,
  Document,
  Chunk,
  Conversation,
  Message,
  UsageRecord,
  AgentRun,
  AgentStep,
  ToolCallRecord,
] as const;
