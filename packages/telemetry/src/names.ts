/**
 * THE telemetry catalogue of ai-scale: every metric (name, instrument kind, unit, description,
 * attributes), span name and attribute key that a package or the server emits. Dashboards
 * (infra/grafana), alert rules (infra/prometheus) and the metric tables of docs/operations.md are
 * checked against this file by infra/test/catalogue.test.ts, and every scrape of a running api and
 * worker is checked against it by apps/server/test/prometheus-scrape.e2e.test.ts.
 *
 * Conventions, in order of precedence:
 * 1. OpenTelemetry semantic conventions where one exists: HTTP (`http.server.request.duration`),
 *    GenAI (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`, `gen_ai.*` attributes),
 *    messaging (`messaging.process.duration`, `messaging.*` attributes, `send {queue}` /
 *    `process {queue}` spans), GenAI agents (`invoke_agent {agent}`, `execute_tool {tool}`), and
 *    `error.type` on failures.
 * 2. Everything else is namespaced `ai_scale.*` (metrics and attributes), so that it never collides
 *    with a future semantic convention.
 * 3. Units live in the instrument (UCUM: `s`, `By`, `USD`, `{token}` …), never in the name. The
 *    Prometheus exposition adds them as a suffix (OpenTelemetry's Prometheus compatibility rules, see
 *    {@link prometheusMetricName}): `messaging.process.duration` (unit `s`) is scraped as
 *    `messaging_process_duration_seconds_bucket|_sum|_count`, the counter `ai_scale.llm.cost` (unit
 *    `USD`) as `ai_scale_llm_cost_usd_total`.
 *
 * Instruments are created with {@link metricOptions}, so unit and description come from here:
 * `meter.createCounter(METRIC.queueJobsFailed, metricOptions(METRIC.queueJobsFailed))`.
 */

/** Attribute keys shared across packages. `gen_ai.*`, `messaging.*`, `http.*`, `error.type`: semantic conventions. */
export const ATTR = {
  tenantId: 'ai_scale.tenant.id',
  // Messaging (the job queue).
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingOperationName: 'messaging.operation.name',
  queueName: 'messaging.destination.name',
  jobId: 'messaging.message.id',
  jobName: 'ai_scale.job.name',
  jobState: 'ai_scale.job.state',
  jobAttempt: 'ai_scale.job.attempt',
  // Cache and retrieval.
  cacheKind: 'ai_scale.cache.kind',
  cacheResult: 'ai_scale.cache.result',
  cacheAdapter: 'ai_scale.cache.adapter',
  searchMode: 'ai_scale.search.mode',
  vectorStore: 'ai_scale.vector_store',
  chunkResult: 'ai_scale.chunk.result',
  // Agents: the GenAI agent conventions, plus the run's outcome.
  agentName: 'gen_ai.agent.name',
  agentOutcome: 'ai_scale.agent.outcome',
  agentStatus: 'ai_scale.agent.status',
  agentStopKind: 'ai_scale.agent.stop_kind',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  // GenAI client calls.
  /** @deprecated in the GenAI conventions (replaced by `gen_ai.provider.name`); still set on spans for older backends. */
  genAiSystem: 'gen_ai.system',
  genAiProviderName: 'gen_ai.provider.name',
  genAiOperationName: 'gen_ai.operation.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiRequestTemperature: 'gen_ai.request.temperature',
  genAiRequestMaxTokens: 'gen_ai.request.max_tokens',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  genAiUsageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  genAiTokenType: 'gen_ai.token.type',
  genAiResponseFinishReasons: 'gen_ai.response.finish_reasons',
  // HTTP server.
  httpRequestMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
  errorType: 'error.type',
} as const;

export type AttributeKey = (typeof ATTR)[keyof typeof ATTR];

/** The OpenTelemetry instrument behind a metric (observable or not). */
export type InstrumentKind = 'histogram' | 'counter' | 'gauge';

export interface MetricDefinition {
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit; `{…}` annotations (`{job}`) are dimensionless and add no Prometheus suffix. */
  readonly unit: string;
  readonly description: string;
  /** Attribute keys the metric's points carry (some only on some points, e.g. `error.type`). */
  readonly attributes: readonly AttributeKey[];
  /** Who records it: the meter (`otel_scope_name`), exactly one per metric family. */
  readonly owner: string;
  /** Histogram bucket boundaries, when the SDK's seconds buckets (or its defaults) do not fit. */
  readonly buckets?: readonly number[];
}

const GEN_AI_CALL = [
  ATTR.genAiOperationName,
  ATTR.genAiProviderName,
  ATTR.genAiRequestModel,
  ATTR.genAiResponseModel,
] as const;
const JOB = [ATTR.messagingSystem, ATTR.queueName, ATTR.jobName] as const;

/** Token-count buckets of the GenAI conventions (`gen_ai.client.token.usage`). */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

const define = <const T extends Record<string, MetricDefinition>>(catalogue: T): T => catalogue;

/** Every metric ai-scale records, by key. */
export const METRIC_CATALOG = define({
  httpServerRequestDuration: {
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of HTTP server requests, by route (the server records it; probes included).',
    attributes: [ATTR.httpRequestMethod, ATTR.httpRoute, ATTR.httpResponseStatusCode],
    owner: '@ai-scale/server',
  },
  genAiClientOperationDuration: {
    name: 'gen_ai.client.operation.duration',
    kind: 'histogram',
    unit: 's',
    description:
      'Duration of a GenAI operation through the gateway, retries and fallbacks included; cache hits are not model calls and are counted by ai_scale.cache.hits.',
    attributes: [...GEN_AI_CALL, ATTR.errorType],
    owner: '@ai-scale/llm-gateway',
  },
  genAiClientTokenUsage: {
    name: 'gen_ai.client.token.usage',
    kind: 'histogram',
    unit: '{token}',
    description: 'Tokens per GenAI operation, by type (input includes cache-read tokens, output).',
    attributes: [...GEN_AI_CALL, ATTR.genAiTokenType],
    owner: '@ai-scale/llm-gateway',
    buckets: TOKEN_BUCKETS,
  },
  llmCost: {
    name: 'ai_scale.llm.cost',
    kind: 'counter',
    unit: 'USD',
    description: 'Spend on model calls in US dollars, by provider and model.',
    attributes: [ATTR.genAiProviderName, ATTR.genAiRequestModel],
    owner: '@ai-scale/llm-gateway',
  },
  llmFallbacks: {
    name: 'ai_scale.llm.fallbacks',
    kind: 'counter',
    unit: '{fallback}',
    description: 'Moves to the next model of a route, by the provider and model that finally answered.',
    attributes: [ATTR.genAiProviderName, ATTR.genAiRequestModel],
    owner: '@ai-scale/llm-gateway',
  },
  llmBreakerState: {
    name: 'ai_scale.llm.breaker.state',
    kind: 'gauge',
    unit: '{state}',
    description: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open, 3 isolated.',
    attributes: [ATTR.genAiProviderName],
    owner: '@ai-scale/llm-gateway',
  },
  queueProcessDuration: {
    name: 'messaging.process.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of one attempt of a job (the handler), failed attempts carry error.type.',
    attributes: [...JOB, ATTR.tenantId, ATTR.errorType],
    owner: '@ai-scale/queue',
  },
  queueDepth: {
    name: 'ai_scale.queue.depth',
    kind: 'gauge',
    unit: '{job}',
    description:
      'Jobs per queue and state (queued, delayed, active, completed, failed), as read from the backend.',
    attributes: [ATTR.messagingSystem, ATTR.queueName, ATTR.jobState],
    owner: '@ai-scale/queue',
  },
  queueWaitDuration: {
    name: 'ai_scale.queue.wait.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time a job waited between becoming ready and the start of an attempt.',
    attributes: [...JOB, ATTR.tenantId],
    owner: '@ai-scale/queue',
  },
  queueJobsCompleted: {
    name: 'ai_scale.queue.jobs.completed',
    kind: 'counter',
    unit: '{job}',
    description: 'Jobs that finished successfully.',
    attributes: [...JOB, ATTR.tenantId],
    owner: '@ai-scale/queue',
  },
  queueJobsFailed: {
    name: 'ai_scale.queue.jobs.failed',
    kind: 'counter',
    unit: '{job}',
    description: 'Failed attempts (each failed retry counts), by error.type.',
    attributes: [...JOB, ATTR.tenantId, ATTR.errorType],
    owner: '@ai-scale/queue',
  },
  queueJobsRetried: {
    name: 'ai_scale.queue.jobs.retried',
    kind: 'counter',
    unit: '{job}',
    description: 'Attempts scheduled again after a retryable failure.',
    attributes: [...JOB, ATTR.tenantId],
    owner: '@ai-scale/queue',
  },
  queueJobsDeadLettered: {
    name: 'ai_scale.queue.jobs.dead_lettered',
    kind: 'counter',
    unit: '{job}',
    description:
      'Jobs that failed for good (attempts exhausted or not retryable) and went to the dead-letter set.',
    attributes: [...JOB, ATTR.tenantId],
    owner: '@ai-scale/queue',
  },
  workerHeartbeat: {
    name: 'ai_scale.worker.heartbeat',
    kind: 'counter',
    unit: '{beat}',
    description: 'Beats of a running worker (every lockDuration/2); no increase means stuck or gone.',
    attributes: [ATTR.messagingSystem, ATTR.queueName],
    owner: '@ai-scale/queue',
  },
  cacheHits: {
    name: 'ai_scale.cache.hits',
    kind: 'counter',
    unit: '{lookup}',
    description: 'Response-cache hits, by kind (exact, semantic).',
    attributes: [ATTR.cacheKind],
    owner: '@ai-scale/cache',
  },
  cacheMisses: {
    name: 'ai_scale.cache.misses',
    kind: 'counter',
    unit: '{lookup}',
    description: 'Response-cache lookups that found nothing servable (a miss is a miss of both kinds).',
    attributes: [],
    owner: '@ai-scale/cache',
  },
  cacheEvictions: {
    name: 'ai_scale.cache.evictions',
    kind: 'counter',
    unit: '{entry}',
    description: 'Cache entries dropped by the size bound before they expired, by in-process adapter.',
    attributes: [ATTR.cacheAdapter],
    owner: '@ai-scale/cache',
  },
  cacheLookupDuration: {
    name: 'ai_scale.cache.lookup.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of a response-cache lookup (exact, then semantic), by result.',
    attributes: [ATTR.cacheResult],
    owner: '@ai-scale/cache',
  },
  cacheTokensSaved: {
    name: 'ai_scale.cache.tokens.saved',
    kind: 'counter',
    unit: '{token}',
    description: 'Model tokens not spent thanks to cache hits.',
    attributes: [ATTR.cacheKind],
    owner: '@ai-scale/cache',
  },
  cacheCostSaved: {
    name: 'ai_scale.cache.cost.saved',
    kind: 'counter',
    unit: 'USD',
    description: 'Model spend not spent thanks to cache hits, in US dollars.',
    attributes: [ATTR.cacheKind],
    owner: '@ai-scale/cache',
  },
  retrievalSearchDuration: {
    name: 'ai_scale.retrieval.search.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of one search (vector, keyword or hybrid), rerank included.',
    attributes: [ATTR.searchMode, ATTR.vectorStore],
    owner: '@ai-scale/retrieval',
  },
  retrievalResultsEmpty: {
    name: 'ai_scale.retrieval.results.empty',
    kind: 'counter',
    unit: '{search}',
    description: 'Searches that returned no result.',
    attributes: [ATTR.searchMode, ATTR.vectorStore],
    owner: '@ai-scale/retrieval',
  },
  retrievalIngestChunks: {
    name: 'ai_scale.retrieval.ingest.chunks',
    kind: 'counter',
    unit: '{chunk}',
    description: 'Chunks ingested, by result (added, kept, removed).',
    attributes: [ATTR.vectorStore, ATTR.chunkResult],
    owner: '@ai-scale/retrieval',
  },
  retrievalEmbedDuration: {
    name: 'ai_scale.retrieval.embed.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of one embedding call, by embedding model.',
    attributes: [ATTR.genAiRequestModel],
    owner: '@ai-scale/retrieval',
  },
  agentRunSteps: {
    name: 'ai_scale.agent.run.steps',
    kind: 'histogram',
    unit: '{step}',
    description: 'Steps a finished agent run took.',
    attributes: [ATTR.agentName],
    owner: '@ai-scale/agent-runtime',
    buckets: [1, 2, 3, 5, 8, 13, 21, 34],
  },
  agentRunDuration: {
    name: 'ai_scale.agent.run.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Wall-clock time from the start to the end of an agent run.',
    attributes: [ATTR.agentName, ATTR.agentOutcome, ATTR.agentStatus],
    owner: '@ai-scale/agent-runtime',
  },
  agentRunLoopsDetected: {
    name: 'ai_scale.agent.run.loops_detected',
    kind: 'counter',
    unit: '{run}',
    description:
      'Agent runs stopped by loop detection, by kind (loop_detected: repeated calls, no_progress).',
    attributes: [ATTR.agentName, ATTR.agentStopKind],
    owner: '@ai-scale/agent-runtime',
  },
  agentRunOutcome: {
    name: 'ai_scale.agent.runs',
    kind: 'counter',
    unit: '{run}',
    description: 'Finished agent runs, by outcome (stop reason or status) and status.',
    attributes: [ATTR.agentName, ATTR.agentOutcome, ATTR.agentStatus],
    owner: '@ai-scale/agent-runtime',
  },
});

export type MetricKey = keyof typeof METRIC_CATALOG;

/** Metric names by key: `METRIC.queueJobsFailed` is `'ai_scale.queue.jobs.failed'`. */
export const METRIC = Object.fromEntries(
  Object.entries(METRIC_CATALOG).map(([key, definition]) => [key, definition.name]),
) as { readonly [K in MetricKey]: (typeof METRIC_CATALOG)[K]['name'] };

export type MetricName = (typeof METRIC)[MetricKey];

const BY_NAME = new Map<string, MetricDefinition>(
  Object.values(METRIC_CATALOG).map((definition) => [definition.name, definition]),
);

/** The catalogue entry of a metric name, or undefined when the name is not in the catalogue. */
export function metricDefinition(name: string): MetricDefinition | undefined {
  return BY_NAME.get(name);
}

/** Instrument options for `meter.create<Kind>(name, metricOptions(name))`: unit, description, bucket advice. */
export function metricOptions(name: MetricName): {
  unit: string;
  description: string;
  advice?: { explicitBucketBoundaries: number[] };
} {
  const definition = BY_NAME.get(name) as MetricDefinition;
  return {
    unit: definition.unit,
    description: definition.description,
    ...(definition.buckets ? { advice: { explicitBucketBoundaries: [...definition.buckets] } } : {}),
  };
}

/** UCUM units → the Prometheus suffix (OpenTelemetry "Prometheus and OpenMetrics compatibility"). */
const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
  USD: 'usd',
};

/** Same rule as the exporter: characters outside `[a-zA-Z0-9_:]` and runs of `_` become one `_`. */
export function sanitizePrometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
}

/**
 * The Prometheus unit suffix of a UCUM unit: `s` → `seconds`, `By/s` → `bytes_per_second`,
 * `1` → `ratio` (gauges only), `{token}` → none. Unknown units are used as they are, sanitized.
 */
export function prometheusUnitSuffix(unit: string | undefined, kind: InstrumentKind): string {
  if (!unit) return '';
  const stripped = unit.replace(/\{[^}]*\}/g, '').trim();
  if (stripped === '') return '';
  if (stripped === '1') return kind === 'gauge' ? 'ratio' : '';
  const [numerator = '', denominator] = stripped.split('/');
  const word = (part: string): string => UNIT_WORDS[part] ?? sanitizePrometheusName(part);
  const singular = (part: string): string => (UNIT_WORDS[part] ?? part).replace(/s$/, '');
  if (denominator === undefined) return word(numerator);
  return numerator === '' || numerator === '1'
    ? `per_${singular(denominator)}`
    : `${word(numerator)}_per_${singular(denominator)}`;
}

/**
 * The Prometheus metric family name of an OpenTelemetry metric: sanitized, the unit suffix appended
 * (unless the name already ends with it), and `_total` for counters. Histogram series add
 * `_bucket` / `_sum` / `_count` (see {@link prometheusSeries}).
 */
export function prometheusMetricName(name: string, unit: string | undefined, kind: InstrumentKind): string {
  let family = sanitizePrometheusName(name);
  const suffix = prometheusUnitSuffix(unit, kind);
  if (suffix && !family.endsWith(`_${suffix}`)) family = `${family}_${suffix}`;
  if (kind === 'counter' && !family.endsWith('_total')) family = `${family}_total`;
  return family;
}

/** The series names a catalogued metric produces on `/metrics`. */
export function prometheusSeries(definition: Pick<MetricDefinition, 'name' | 'unit' | 'kind'>): string[] {
  const family = prometheusMetricName(definition.name, definition.unit, definition.kind);
  return definition.kind === 'histogram'
    ? [`${family}_bucket`, `${family}_sum`, `${family}_count`]
    : [family];
}

/** Span names. Names with a variable part are functions (the semantic conventions put a low-cardinality target in the name). */
export const SPAN = {
  /** Messaging producer span: `send {queue}`. */
  queueSend: (queue: string): string => `send ${queue}`,
  /** Messaging consumer span: `process {queue}`. */
  queueProcess: (queue: string): string => `process ${queue}`,
  cacheLookup: 'ai_scale.cache.lookup',
  retrievalSearch: 'ai_scale.retrieval.search',
  retrievalIngest: 'ai_scale.retrieval.ingest',
  retrievalEmbed: 'ai_scale.retrieval.embed',
  /** The gateway's logical call (routing, cache, retries); each model attempt is a `chat {model}` client span. */
  llmGateway: 'ai_scale.llm.gateway',
  /** A GenAI client call: `{gen_ai.operation.name} {gen_ai.request.model}`. */
  genAiCall: (operation: string, model: string): string => `${operation} ${model}`,
  /** GenAI agent conventions: `invoke_agent {gen_ai.agent.name}`. */
  agentRun: (agent: string): string => `invoke_agent ${agent}`,
  agentStep: 'ai_scale.agent.step',
  /** GenAI agent conventions: `execute_tool {gen_ai.tool.name}`. */
  executeTool: (tool: string): string => `execute_tool ${tool}`,
} as const;
