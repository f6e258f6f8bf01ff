import { metrics } from '@opentelemetry/api';
import { ATTR, METRIC, metricOptions } from '@ai-scale/telemetry';
import { type FastifyInstance } from 'fastify';
import { type RequestStats } from './request-stats';

const START = Symbol('requestStart');

/**
 * Records `http.server.request.duration` (seconds, with method, route and status) for every request:
 * the server owns that family (instrumentation-http records it without the route, and the
 * Prometheus renderer exports only the catalogue's owner),
 * plus the local latency series of `/v1/stats`. Probes (`/health`, `/metrics`) are not recorded in the series.
 */
export function registerHttpMetrics(fastify: FastifyInstance, stats: RequestStats): void {
  const histogram = metrics
    .getMeter('@ai-scale/server')
    .createHistogram(METRIC.httpServerRequestDuration, metricOptions(METRIC.httpServerRequestDuration));
  fastify.addHook('onRequest', async (request) => {
    (request as unknown as Record<symbol, number>)[START] = performance.now();
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const started = (request as unknown as Record<symbol, number | undefined>)[START];
    if (started === undefined) return;
    const durationMs = performance.now() - started;
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.record(durationMs / 1000, {
      [ATTR.httpRequestMethod]: request.method,
      [ATTR.httpRoute]: route,
      [ATTR.httpResponseStatusCode]: reply.statusCode,
    });
    if (!/^\/(health|metrics|docs)/.test(route) && route !== 'unmatched') stats.record(durationMs);
  });
}
