// Spawned by start-telemetry.test.ts: the OTLP/HTTP exporter loads `http` with a dynamic import(),
// which jest's module sandbox cannot run. Usage: node otlp-export.child.cjs <collector base url>
require('./register-ts.cjs');
const { startTelemetry } = require('../index.ts');
const { METRIC, withSpan } = require('../../index.ts');
const { metrics, trace } = require('@opentelemetry/api');

async function main() {
  const handle = startTelemetry({
    serviceName: 'otlp-child',
    otlpEndpoint: process.argv[2],
    instrumentations: { http: false, undici: false, ioredis: false, pg: false },
  });
  withSpan(trace.getTracer('child'), 'exported-over-otlp', () => undefined);
  metrics.getMeter('child').createCounter(METRIC.genAiClientTokenUsage).add(7);
  await handle.shutdown(); // flushes the batch processor and the periodic reader
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
