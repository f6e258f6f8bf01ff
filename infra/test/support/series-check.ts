import { PROMETHEUS_BUILTIN_SERIES, seriesIndex, type SeriesInfo } from './metric-catalog';
import { readPromql } from './promql';

/** Labels Prometheus itself puts on its own series. */
const BUILTIN_LABELS: Record<string, readonly string[]> = {
  up: ['job', 'instance'],
  ALERTS: ['alertname', 'alertstate', 'severity', 'warning_sign', 'job', 'instance'],
};

export interface SeriesCheckContext {
  /** Series defined by recording rules, usable like any other series (no label check). */
  readonly recorded: ReadonlySet<string>;
  readonly index?: Map<string, SeriesInfo>;
}

/**
 * Problems with one PromQL expression: a series the server does not expose (under the exporter's
 * naming), or a label that no series of the expression carries. Empty when the expression is sound.
 */
export function checkExpression(expression: string, context: SeriesCheckContext): string[] {
  const index = context.index ?? seriesIndex();
  const references = readPromql(expression);
  const problems: string[] = [];
  const labelsInScope = new Set<string>();
  for (const series of references.series) {
    const info = index.get(series);
    const builtin = (PROMETHEUS_BUILTIN_SERIES as readonly string[]).includes(series);
    if (info) info.labels.forEach((label) => labelsInScope.add(label));
    else if (builtin) (BUILTIN_LABELS[series] ?? []).forEach((label) => labelsInScope.add(label));
    else if (!context.recorded.has(series)) problems.push(`unknown series ${series}`);
  }
  for (const label of references.labels) {
    if (!labelsInScope.has(label))
      problems.push(`label ${label} is on none of ${references.series.join(', ')}`);
  }
  for (const { series, label } of references.matchers) {
    const info = index.get(series);
    if (info && !info.labels.has(label)) problems.push(`${series} has no label ${label}`);
  }
  return problems;
}

/** The metrics (OpenTelemetry names) an expression reads, recording rules expanded. */
export function metricsRead(
  expression: string,
  recordingRules: ReadonlyMap<string, string>,
  index: Map<string, SeriesInfo> = seriesIndex(),
  seen: Set<string> = new Set(),
): Set<string> {
  const metrics = new Set<string>();
  for (const series of readPromql(expression).series) {
    const info = index.get(series);
    if (info) metrics.add(info.metric.name);
    const recorded = recordingRules.get(series);
    if (recorded !== undefined && !seen.has(series)) {
      seen.add(series);
      metricsRead(recorded, recordingRules, index, seen).forEach((metric) => metrics.add(metric));
    }
  }
  return metrics;
}
