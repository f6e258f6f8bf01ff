import { METRIC_CATALOG, prometheusMetricName, sanitizePrometheusName } from '@ai-scale/telemetry';

export const TABLE_START = '<!-- metric-catalogue:start (generated from packages/telemetry/src/names.ts) -->';
export const TABLE_END = '<!-- metric-catalogue:end -->';

const code = (text: string): string => `\`${text}\``;

/**
 * The metric table of docs/operations.md, derived from the catalogue of `@ai-scale/telemetry`:
 * one row per metric with its OpenTelemetry name, instrument and unit, Prometheus family, labels,
 * owner and meaning. `WRITE_CATALOGUE_TABLE=1 npx jest test/catalogue.test.ts` (in infra/) rewrites it.
 */
export function catalogueTable(): string {
  const rows = Object.values(METRIC_CATALOG).map((metric) => {
    const family = prometheusMetricName(metric.name, metric.unit, metric.kind);
    const series = metric.kind === 'histogram' ? `${family}_bucket` : family;
    const labels = metric.attributes.map((attribute) => code(sanitizePrometheusName(attribute))).join(', ');
    return `| ${code(metric.name)} | ${metric.kind} (${code(metric.unit)}) | ${code(series)} | ${labels || '—'} | ${code(metric.owner)} | ${metric.description} |`;
  });
  return [
    TABLE_START,
    '| OpenTelemetry metric | instrument (unit) | Prometheus series | labels | recorded by | meaning |',
    '|---|---|---|---|---|---|',
    ...rows,
    TABLE_END,
  ].join('\n');
}

/** The table currently in a markdown text, or undefined when the markers are missing. */
export function tableIn(markdown: string): string | undefined {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start, end + TABLE_END.length);
}
