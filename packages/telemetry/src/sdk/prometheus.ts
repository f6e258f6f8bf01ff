import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { metricDefinition, prometheusMetricName, type InstrumentKind } from '../names';

/** Renders the process's metrics in the Prometheus text format, for the app's own `/metrics` route. */
export interface PrometheusHandler {
  /** The `content-type` to answer with (Prometheus text exposition format 0.0.4). */
  readonly contentType: string;
  /** Collects every instrument now and returns the exposition text. */
  render(): Promise<string>;
  /** A plain Node handler (`(req, res)`), e.g. for Fastify's `reply.raw` or a bare `http` server. */
  handle(request: IncomingMessage, response: ServerResponse): void;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function kindOf(metric: MetricData): InstrumentKind {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
  return 'gauge';
}

/**
 * Prometheus names for every metric (unit suffix, `_total`; see `prometheusMetricName`), and one
 * owner per family. The exporter writes one `# HELP`/`# TYPE` block per (scope, metric), so two
 * meters recording the same name produce a family Prometheus refuses to parse ("second HELP line").
 * A catalogued metric is exported only from the meter the catalogue names as its `owner` (e.g.
 * `http.server.request.duration` from the server, which knows the route, not from
 * instrumentation-http, which records it without one); any other name from the first meter that
 * records it. What is dropped is reported once through the OpenTelemetry diagnostics logger.
 */
export function toPrometheusFamilies(
  resourceMetrics: ResourceMetrics,
  reported: Set<string>,
): ResourceMetrics {
  const owners = new Map<string, string>();
  const report = (family: string, scope: string, message: string): void => {
    const key = `${family}\u0000${scope}`;
    if (reported.has(key)) return;
    reported.add(key);
    diag.warn(`prometheus: ${family} from ${scope} is not exported: ${message}`);
  };
  return {
    resource: resourceMetrics.resource,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scopeMetrics) => {
      const scope = scopeMetrics.scope.name;
      return {
        scope: scopeMetrics.scope,
        metrics: scopeMetrics.metrics.flatMap((metric) => {
          const { name, unit } = metric.descriptor;
          const family = prometheusMetricName(name, unit, kindOf(metric));
          const catalogued = metricDefinition(name);
          if (catalogued && catalogued.owner !== scope) {
            report(family, scope, `the catalogue names ${catalogued.owner} as its owner`);
            return [];
          }
          const owner = owners.get(family);
          if (owner !== undefined) {
            report(family, scope, `${owner} records it too`);
            return [];
          }
          owners.set(family, scope);
          return [{ ...metric, descriptor: { ...metric.descriptor, name: family } } as MetricData];
        }),
      };
    }),
  };
}

/** A pull reader that never opens its own port: the app serves `render()` itself. */
export function createPrometheusReader(prefix = ''): {
  reader: PrometheusExporter;
  handler: PrometheusHandler;
} {
  const reader = new PrometheusExporter({ preventServerStart: true, prefix });
  const serializer = new PrometheusSerializer(prefix);
  const reported = new Set<string>();
  const render = async (): Promise<string> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('prometheus: metric collection errors', ...errors);
    return serializer.serialize(toPrometheusFamilies(resourceMetrics, reported));
  };
  return {
    reader,
    handler: {
      contentType: PROMETHEUS_CONTENT_TYPE,
      render,
      handle(_request, response) {
        render().then(
          (text) => {
            response.statusCode = 200;
            response.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
            response.end(text);
          },
          (error: unknown) => {
            response.statusCode = 500;
            response.setHeader('content-type', 'text/plain; charset=utf-8');
            response.end(`# failed to collect metrics: ${String(error)}`);
          },
        );
      },
    },
  };
}
