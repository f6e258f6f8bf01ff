export type { JsonValue, JsonObject, JsonSchemaObject } from './json';
export type { Tool, AnyTool, ToolContext, RetryPolicy, AwaitInput } from './tool';
export { awaitInput, isAwaitInput } from './tool';
export type {
  CheckpointStore,
  RunRecord,
  RunKind,
  RunStatus,
  RunUsage,
  RunVersions,
  StepCheckpoint,
  StopReason,
  ToolCallRecord,
} from './checkpoint-store';
export type {
  AgentModel,
  AgentMessage,
  AgentToolCall,
  AgentToolSpec,
  ModelTurn,
  ModelTurnRequest,
} from './agent-model';
