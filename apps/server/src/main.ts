// swagger-ui-dist prints an analytics notice unless told not to.
process.env.SCARF_ANALYTICS ??= 'false';

import 'reflect-metadata';
import { ConfigValidationError, parseConfig, type AppConfig } from './config';

function loadConfigOrExit(): AppConfig {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // The SDK first: its instrumentations patch http, undici, ioredis and pg as the app requires them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startProcessTelemetry } =
    require('./bootstrap/process-telemetry') as typeof import('./bootstrap/process-telemetry');
  /* eslint-enable @typescript-eslint/no-require-imports */
  startProcessTelemetry(config);
  // Loaded only once the configuration is valid: a bad variable exits before any adapter is required.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createApp } = require('./app.factory') as typeof import('./app.factory');
  const { onListening } = require('./bootstrap/on-listening') as typeof import('./bootstrap/on-listening');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = await createApp(config);
  const shutdownTimer = (): void => {
    // enableShutdownHooks closes the app on SIGTERM; if something hangs, leave anyway.
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
  };
  process.once('SIGTERM', shutdownTimer);
  process.once('SIGINT', shutdownTimer);
  await app.listen({ port: config.PORT, host: config.HOST });
  await onListening(app, config);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ai-scale server failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
