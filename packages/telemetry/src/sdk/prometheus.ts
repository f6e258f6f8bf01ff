import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';

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

/** A pull reader that never opens its own port: the app serves `render()` itself. */
export function createPrometheusReader(prefix: string): {
  reader: PrometheusExporter;
  handler: PrometheusHandler;
} {
  const reader = new PrometheusExporter({ preventServerStart: true, prefix });
  const serializer = new PrometheusSerializer(prefix);
  const render = async (): Promise<string> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('prometheus: metric collection errors', ...errors);
    return serializer.serialize(resourceMetrics);
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
