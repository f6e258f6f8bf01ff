import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** What the server needs from telemetry: Prometheus text for `/metrics`, and a shutdown. */
export interface ServerTelemetry {
  /** The Prometheus text exposition of every metric recorded in this process. */
  prometheusText(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * TODO(telemetry): replace with `startTelemetry` from @ai-scale/telemetry once it is published;
 * this shim registers a global MeterProvider read by a Prometheus exporter that never opens its own port.
 */
export function startServerTelemetry(options: { serviceName: string }): ServerTelemetry {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  const serializer = new PrometheusSerializer();
  void options;
  return {
    async prometheusText() {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
