// Runs in a plain Node process (spawned by start-telemetry.test.ts): the OTLP/HTTP exporter loads
// `http` with a dynamic import(), which jest's module sandbox cannot run. TypeScript sources are
// compiled on the fly with @swc/core, the compiler jest uses too.
// Usage: node otlp-export.child.cjs <collector base url>
const fs = require('node:fs');
const Module = require('node:module');
const swc = require('@swc/core');

Module._extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

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
  metrics.getMeter('child').createCounter(METRIC.llmTokens).add(7);
  await handle.shutdown(); // flushes the batch processor and the periodic reader
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
