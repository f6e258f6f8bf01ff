import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createPrometheusReader, METRIC_VIEWS } from '@ai-scale/telemetry/sdk';
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
 * `/metrics` still serves every metric the packages record, named and owned the same way.
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
  const { reader, handler } = createPrometheusReader();
  const provider = new MeterProvider({ readers: [reader], views: [...METRIC_VIEWS] });
  metrics.setGlobalMeterProvider(provider);
  void options;
  return {
    prometheusText: () => handler.render(),
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
