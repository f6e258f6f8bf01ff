// Spawned by start-telemetry.test.ts: instrumentations patch modules through require hooks, which
// jest's own module system bypasses. Starts telemetry, then serves and calls HTTP (http + undici),
// logging inside the request, and prints one JSON report on stdout's last line.
require('./register-ts.cjs');
const { startTelemetry } = require('../index.ts');
const { createLogger } = require('../../index.ts');
const { Writable } = require('node:stream');

async function main() {
  const handle = startTelemetry({ serviceName: 'http-child' });
  const http = require('node:http'); // after start, as an app must
  const lines = [];
  const logger = createLogger({
    destination: new Writable({
      write(chunk, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString('utf8')));
        callback();
      },
    }),
  });
  const server = http.createServer((request, response) => {
    logger.info({ url: request.url }, 'request');
    response.end('ok');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await (await fetch(`http://127.0.0.1:${port}/hello`)).text();
  await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const prometheus = await handle.prometheusHandler.render();
  await new Promise((resolve) => server.close(resolve));
  await handle.shutdown();
  console.log(JSON.stringify({ lines, prometheus }));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
