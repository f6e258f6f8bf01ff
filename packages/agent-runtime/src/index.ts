export * from './ports';
export * from './errors';
export { defineAgent, DEFAULT_LIMITS, type AgentDefinition, type RunLimits } from './agent/agent-definition';
export { defineTool, toolSpec, parseToolArguments } from './tools/define-tool';
export {
  defineWorkflow,
  task,
  human,
  sequence,
  parallel,
  branch,
  type WorkflowDefinition,
  type WorkflowNode,
  type WorkflowView,
  type WorkflowTaskContext,
  type TaskNode,
  type HumanNode,
  type SequenceNode,
  type ParallelNode,
  type BranchNode,
} from './workflow/workflow-definition';
export {
  AgentRuntime,
  AGENT_RUN_JOB,
  type AgentRuntimeOptions,
  type AgentRunJobPayload,
  type StartRunOptions,
  type ProcessRunOptions,
} from './runtime/agent-runtime';
export { MemoryCheckpointStore } from './adapters/memory/memory-checkpoint-store';
export {
  gatewayAgentModel,
  type ChatGateway,
  type GatewayAgentModelOptions,
} from './models/gateway-agent-model';
export {
  researchAgent,
  RESEARCH_AGENT,
  RESEARCH_SYSTEM_PROMPT,
  researchInput,
  type ResearchAgentOptions,
  type ResearchInput,
} from './agents/research/research-agent';
export {
  researchPlanner,
  NOTHING_FOUND,
  type ResearchPlannerOptions,
} from './agents/research/research-planner';
export {
  researchTools,
  SEARCH_TOOL,
  READ_TOOL,
  type ResearchToolOptions,
  type ResearchSearch,
  type ResearchSearchHit,
  type ResearchDocument,
  type ResearchDocumentReader,
} from './agents/research/research-tools';
