import { ATTR, METRIC, type MetricName } from '@ai-scale/telemetry';

/**
 * What the dashboards and alert rules assume about each metric the server exposes: the OpenTelemetry
 * instrument kind, its unit and the attributes it carries. The Prometheus series names follow from
 * how @opentelemetry/exporter-prometheus 0.223.0 serialises them (checked in its
 * PrometheusSerializer): dots and other invalid characters become `_`, monotonic sums get `_total`,
 * histograms get `_bucket`, `_sum`, `_count`, and the unit is NOT appended (it is only written in a
 * `# UNIT` comment). So `queue.wait.duration` (unit `s`) is `queue_wait_duration_bucket`, not
 * `queue_wait_duration_seconds_bucket`.
 *
 * This table is the contract with the packages that record these metrics: if one changes the kind
 * or the attributes of an instrument, this table and the queries must change with it.
 */
export type InstrumentKind = 'histogram' | 'counter' | 'gauge';

export interface MetricAssumption {
  readonly name: MetricName;
  readonly kind: InstrumentKind;
  readonly unit: string;
  /** OpenTelemetry attribute keys (ATTR values or semantic-convention keys). */
  readonly attributes: readonly string[];
  readonly meaning: string;
}

const HTTP_METHOD = 'http.request.method';
const HTTP_STATUS = 'http.response.status_code';
const HTTP_ROUTE = 'http.route';
const BREAKER_STATE_VALUES = '0 closed, 1 half-open, 2 open, 3 isolated';

export const METRIC_ASSUMPTIONS: readonly MetricAssumption[] = [
  {
    name: METRIC.httpServerRequestDuration,
    kind: 'histogram',
    unit: 's',
    attributes: [HTTP_METHOD, HTTP_STATUS, HTTP_ROUTE],
    meaning: 'API response time, from @opentelemetry/instrumentation-http (stable semconv, seconds)',
  },
  {
    name: METRIC.llmRequestDuration,
    kind: 'histogram',
    unit: 's',
    attributes: [ATTR.genAiProviderName, ATTR.genAiRequestModel, ATTR.errorType],
    meaning: 'one gateway call (cache hits included); failures carry only error.type',
  },
  {
    name: METRIC.queueDepth,
    kind: 'gauge',
    unit: '{job}',
    attributes: [ATTR.queueName, ATTR.jobState],
    meaning:
      'jobs per queue and state (queued, delayed, active, completed, failed: JOB_STATES of @ai-scale/queue)',
  },
  {
    name: METRIC.queueWaitDuration,
    kind: 'histogram',
    unit: 's',
    attributes: [ATTR.queueName, ATTR.jobName, ATTR.tenantId],
    meaning: 'time from enqueue to the start of processing',
  },
  {
    name: METRIC.queueProcessDuration,
    kind: 'histogram',
    unit: 's',
    attributes: [ATTR.queueName, ATTR.jobName],
    meaning: 'processing time of one attempt',
  },
  {
    name: METRIC.queueJobsCompleted,
    kind: 'counter',
    unit: '{job}',
    attributes: [ATTR.queueName, ATTR.jobName],
    meaning: 'jobs that finished successfully',
  },
  {
    name: METRIC.queueJobsFailed,
    kind: 'counter',
    unit: '{job}',
    attributes: [ATTR.queueName, ATTR.jobName, ATTR.errorType],
    meaning: 'failed attempts (each retry that fails counts)',
  },
  {
    name: METRIC.queueJobsRetried,
    kind: 'counter',
    unit: '{job}',
    attributes: [ATTR.queueName, ATTR.jobName],
    meaning: 'attempts scheduled again after a retryable failure',
  },
  {
    name: METRIC.queueJobsDeadLettered,
    kind: 'counter',
    unit: '{job}',
    attributes: [ATTR.queueName, ATTR.jobName],
    meaning: 'jobs that exhausted their attempts and were moved to the dead-letter queue',
  },
  {
    name: METRIC.workerHeartbeat,
    kind: 'counter',
    unit: '{beat}',
    attributes: [ATTR.queueName],
    meaning: 'beats of a running worker (every lockDuration/2, 15 s by default); no increase = stuck or gone',
  },
  {
    name: METRIC.cacheHits,
    kind: 'counter',
    unit: '{lookup}',
    attributes: [ATTR.cacheKind],
    meaning: 'cache hits by kind (exact | semantic)',
  },
  {
    name: METRIC.cacheMisses,
    kind: 'counter',
    unit: '{lookup}',
    attributes: [],
    meaning: 'lookups that found nothing servable (no kind: a miss is a miss of both)',
  },
  {
    name: METRIC.retrievalSearchDuration,
    kind: 'histogram',
    unit: 's',
    attributes: [ATTR.searchMode, ATTR.vectorStore],
    meaning: 'one search (vector | text | hybrid) including rerank',
  },
  {
    name: METRIC.retrievalResultsEmpty,
    kind: 'counter',
    unit: '{search}',
    attributes: [ATTR.searchMode, ATTR.vectorStore],
    meaning: 'searches that returned no result',
  },
  {
    name: METRIC.llmTokens,
    kind: 'counter',
    unit: '{token}',
    attributes: [ATTR.genAiTokenType, ATTR.genAiProviderName, ATTR.genAiRequestModel],
    meaning: 'tokens by type (input | output | cached), provider and model',
  },
  {
    name: METRIC.llmCost,
    kind: 'counter',
    unit: 'USD',
    attributes: [ATTR.genAiProviderName, ATTR.genAiRequestModel],
    meaning: 'spend in US dollars by model',
  },
  {
    name: METRIC.llmFallbacks,
    kind: 'counter',
    unit: '{fallback}',
    attributes: [ATTR.genAiProviderName, ATTR.genAiRequestModel],
    meaning: 'calls that moved on to the next provider of LLM_PROVIDERS',
  },
  {
    name: METRIC.llmBreakerState,
    kind: 'gauge',
    unit: '1',
    attributes: [ATTR.genAiProviderName],
    meaning: `circuit breaker state per provider: ${BREAKER_STATE_VALUES}`,
  },
  {
    name: METRIC.agentRunSteps,
    kind: 'histogram',
    unit: '{step}',
    attributes: [ATTR.agentName],
    meaning: 'steps one agent run took',
  },
  {
    name: METRIC.agentRunLoopsDetected,
    kind: 'counter',
    unit: '{loop}',
    attributes: [ATTR.agentName, 'kind'],
    meaning: 'runs stopped by the loop detector, by stop reason (`kind`)',
  },
  {
    name: METRIC.agentRunOutcome,
    kind: 'counter',
    unit: '{run}',
    attributes: [ATTR.agentName, ATTR.agentOutcome, 'status'],
    meaning: 'finished runs by outcome',
  },
];

/** Same rule as the exporter's `sanitizePrometheusMetricName`: invalid characters and runs of `_` become `_`. */
export function toPrometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
}

/** The series a metric of this kind produces on /metrics. */
export function prometheusSeries(metric: Pick<MetricAssumption, 'name' | 'kind'>): string[] {
  const base = toPrometheusName(metric.name);
  switch (metric.kind) {
    case 'histogram':
      return [`${base}_bucket`, `${base}_sum`, `${base}_count`];
    case 'counter':
      return [base.endsWith('_total') ? base : `${base}_total`];
    case 'gauge':
      return [base];
  }
}

/** Labels every series carries whatever the instrument: scrape target labels and the exporter's scope. */
export const GENERIC_LABELS = ['job', 'instance', 'otel_scope_name', 'le', 'service_name'] as const;

/** Series Prometheus makes itself, allowed in queries next to the server's metrics. */
export const PROMETHEUS_BUILTIN_SERIES = ['up', 'ALERTS'] as const;

export interface SeriesInfo {
  readonly metric: MetricAssumption;
  readonly labels: ReadonlySet<string>;
}

/** Prometheus series name → the metric behind it and the labels it may carry. */
export function seriesIndex(
  assumptions: readonly MetricAssumption[] = METRIC_ASSUMPTIONS,
): Map<string, SeriesInfo> {
  const index = new Map<string, SeriesInfo>();
  for (const metric of assumptions) {
    const labels = new Set<string>([...GENERIC_LABELS, ...metric.attributes.map(toPrometheusName)]);
    for (const series of prometheusSeries(metric)) index.set(series, { metric, labels });
  }
  return index;
}
