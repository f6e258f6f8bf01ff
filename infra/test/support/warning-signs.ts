import { METRIC, type MetricName } from '@ai-scale/telemetry';

/**
 * The warning signs of the design (docs "Monitoring"), each with the metrics that show it. Every sign
 * must have at least one alert rule (labelled `warning_sign: <id>`), a runbook section in
 * docs/operations.md (anchor `#<id>`), and dashboard panels that plot every one of its metrics.
 */
export interface WarningSign {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly MetricName[];
}

export const WARNING_SIGNS: readonly WarningSign[] = [
  {
    id: 'response-time',
    title: 'Response time rising',
    metrics: [METRIC.httpServerRequestDuration, METRIC.genAiClientOperationDuration],
  },
  {
    id: 'queue-growing',
    title: 'Queue growing',
    metrics: [METRIC.queueDepth, METRIC.queueWaitDuration],
  },
  {
    id: 'workers-failing',
    title: 'Workers failing or restarting',
    metrics: [
      METRIC.queueJobsFailed,
      METRIC.queueJobsRetried,
      METRIC.queueJobsDeadLettered,
      METRIC.workerHeartbeat,
    ],
  },
  {
    id: 'vector-search',
    title: 'Vector search slow or inaccurate',
    metrics: [METRIC.retrievalSearchDuration, METRIC.retrievalResultsEmpty],
  },
  {
    id: 'cost-rising',
    title: 'Cost rising',
    metrics: [METRIC.genAiClientTokenUsage, METRIC.llmCost, METRIC.llmFallbacks, METRIC.llmBreakerState],
  },
  {
    id: 'inconsistent-answers',
    title: 'Inconsistent answers',
    metrics: [METRIC.cacheHits, METRIC.cacheMisses, METRIC.agentRunSteps, METRIC.agentRunLoopsDetected],
  },
];
