import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationType, InstrumentType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { SECONDS_BUCKETS } from '@ai-scale/telemetry/sdk';
import { processTelemetry } from '../../bootstrap/process-telemetry';

/** What the server needs from telemetry: Prometheus text for `/metrics`, and a shutdown. */
export interface ServerTelemetry {
  /** The Prometheus text exposition of every metric recorded in this process. */
  prometheusText(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * The process's OpenTelemetry SDK when `main.ts` started it (the normal case: traces, metrics,
 * instrumentations). When the app is built without it — in-process end-to-end tests, where jest
 * cannot run the SDK's require hooks — a bare MeterProvider with a Prometheus reader stands in, so
 * `/metrics` still serves every metric the packages record.
 */
export function startServerTelemetry(options: { serviceName: string }): ServerTelemetry {
  const sdk = processTelemetry();
  if (sdk) {
    return {
      async prometheusText() {
        return sdk.prometheusHandler ? sdk.prometheusHandler.render() : '';
      },
      shutdown: () => sdk.shutdown(),
    };
  }
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    readers: [exporter],
    views: [
      {
        instrumentType: InstrumentType.HISTOGRAM,
        instrumentUnit: 's',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [...SECONDS_BUCKETS] },
        },
      },
    ],
  });
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
