import {
  METRIC_CATALOG,
  prometheusSeries,
  sanitizePrometheusName,
  type InstrumentKind,
  type MetricDefinition,
} from '@ai-scale/telemetry';

/**
 * The metrics the dashboards, alert rules and docs may use: exactly the catalogue of
 * `@ai-scale/telemetry` (packages/telemetry/src/names.ts), nothing kept here. Series names follow
 * from it the way the server's Prometheus renderer writes them (`prometheusSeries`): unit suffix,
 * `_total` for counters, `_bucket` / `_sum` / `_count` for histograms.
 */
export type { InstrumentKind };
export type MetricAssumption = MetricDefinition;

export const METRIC_ASSUMPTIONS: readonly MetricDefinition[] = Object.values(METRIC_CATALOG);

/** Same rule as the exporter's `sanitizePrometheusMetricName`: invalid characters and runs of `_` become `_`. */
export const toPrometheusName = sanitizePrometheusName;

export { prometheusSeries };

/** Labels every series carries whatever the instrument: scrape target labels and the exporter's scope. */
export const GENERIC_LABELS = ['job', 'instance', 'otel_scope_name', 'otel_scope_version', 'le'] as const;

/** Series Prometheus makes itself, allowed in queries next to the server's metrics. */
export const PROMETHEUS_BUILTIN_SERIES = ['up', 'ALERTS'] as const;

export interface SeriesInfo {
  readonly metric: MetricDefinition;
  readonly labels: ReadonlySet<string>;
}

/** Prometheus series name → the metric behind it and the labels it may carry. */
export function seriesIndex(
  assumptions: readonly MetricDefinition[] = METRIC_ASSUMPTIONS,
): Map<string, SeriesInfo> {
  const index = new Map<string, SeriesInfo>();
  for (const metric of assumptions) {
    const labels = new Set<string>([...GENERIC_LABELS, ...metric.attributes.map(toPrometheusName)]);
    for (const series of prometheusSeries(metric)) index.set(series, { metric, labels });
  }
  return index;
}
