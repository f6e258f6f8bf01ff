/**
 * The metric, span and attribute names of ../../docs/architecture.md ("Monitoring"), in one place so
 * that every adapter emits the same series and a dashboard never cares which adapter runs.
 * Names follow OpenTelemetry conventions (dots, units in the instrument, not the name); the
 * Prometheus exporter turns dots into underscores and suffixes counters with `_total`:
 * `queue.jobs.failed` → `queue_jobs_failed_total`; a histogram `queue.wait.duration` (unit `s`) →
 * `queue_wait_duration_bucket|_sum|_count` with a `# UNIT … s` line. Durations are in seconds.
 */
export const METRIC = {
  httpServerRequestDuration: 'http.server.request.duration',
  queueDepth: 'queue.depth',
  queueWaitDuration: 'queue.wait.duration',
  queueProcessDuration: 'queue.process.duration',
  queueJobsCompleted: 'queue.jobs.completed',
  queueJobsFailed: 'queue.jobs.failed',
  queueJobsRetried: 'queue.jobs.retried',
  queueJobsDeadLettered: 'queue.jobs.dead_lettered',
  workerHeartbeat: 'worker.heartbeat',
  cacheHits: 'cache.hits',
  cacheMisses: 'cache.misses',
  cacheEvictions: 'cache.evictions',
  cacheLookupDuration: 'cache.lookup.duration',
  cacheTokensSaved: 'cache.tokens.saved',
  cacheCostSaved: 'cache.cost.saved',
  retrievalSearchDuration: 'retrieval.search.duration',
  retrievalResultsEmpty: 'retrieval.results.empty',
  retrievalIngestChunks: 'retrieval.ingest.chunks',
  retrievalEmbedDuration: 'retrieval.embed.duration',
  llmRequestDuration: 'llm.request.duration',
  llmTokens: 'llm.tokens',
  llmCost: 'llm.cost',
  llmFallbacks: 'llm.fallbacks',
  llmBreakerState: 'llm.breaker.state',
  agentRunSteps: 'agent.run.steps',
  agentRunDuration: 'agent.run.duration',
  agentRunLoopsDetected: 'agent.run.loops_detected',
  agentRunOutcome: 'agent.run.outcome',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Span names: `<component>.<operation>`; LLM spans follow GenAI conventions (`chat <model>`). */
export const SPAN = {
  queueEnqueue: 'queue.enqueue',
  queueProcess: 'queue.process',
  cacheLookup: 'cache.lookup',
  retrievalSearch: 'retrieval.search',
  retrievalIngest: 'retrieval.ingest',
  retrievalEmbed: 'retrieval.embed',
  llmGateway: 'llm.gateway',
  agentRun: 'agent.run',
  agentStep: 'agent.step',
} as const;

/** Attribute keys shared across packages. `gen_ai.*` are the OpenTelemetry GenAI semantic conventions. */
export const ATTR = {
  tenantId: 'ai_scale.tenant.id',
  queueName: 'messaging.destination.name',
  jobId: 'messaging.message.id',
  jobName: 'ai_scale.job.name',
  jobState: 'ai_scale.job.state',
  jobAttempt: 'ai_scale.job.attempt',
  cacheKind: 'kind',
  cacheResult: 'result',
  searchMode: 'ai_scale.search.mode',
  vectorStore: 'ai_scale.vector_store',
  agentName: 'ai_scale.agent.name',
  agentOutcome: 'outcome',
  genAiSystem: 'gen_ai.system',
  genAiProviderName: 'gen_ai.provider.name',
  genAiOperationName: 'gen_ai.operation.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiRequestTemperature: 'gen_ai.request.temperature',
  genAiRequestMaxTokens: 'gen_ai.request.max_tokens',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  genAiTokenType: 'gen_ai.token.type',
  genAiResponseFinishReasons: 'gen_ai.response.finish_reasons',
  errorType: 'error.type',
} as const;
