import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { registerHttpSecurity } from './bootstrap/http-security';
import { buildOpenApiDocument } from './bootstrap/openapi';
import { registerWebVendor } from './bootstrap/web-vendor';
import multipart from '@fastify/multipart';
import { type AppConfig } from './config';
import { sendError } from './common/http/all-exceptions.filter';
import { registerRateLimit } from './common/http/rate-limit';
import { registerBullBoard } from './infrastructure/queue/bull-board';
import { setDependencyTimeout } from './infrastructure/readiness/dependency-guard';
import { registerHttpMetrics } from './infrastructure/telemetry/http-metrics';
import { RequestStats } from './infrastructure/telemetry/request-stats';

/**
 * Builds the Nest application on Fastify for a parsed configuration (used by `main.ts` and by the
 * end-to-end tests, so both run exactly the same wiring). The caller listens and closes it.
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.MAX_UPLOAD_BYTES,
    trustProxy: true,
    // Nest's pino logger logs requests; Fastify's own logger stays off.
    logger: false,
    // Errors Fastify's router raises before any route runs (a path parameter over maxParamLength,
    // a malformed URL) leave in the API's error shape too, not in Fastify's own.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
      sendError(reply, error),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  setDependencyTimeout(config.DEPENDENCY_TIMEOUT_MS);
  registerHttpMetrics(fastify, app.get(RequestStats));
  await registerHttpSecurity(app, config);
  await app.register(multipart, {
    limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 },
    throwFileSizeLimit: true,
  });
  if (config.runsApi) await registerRateLimit(app, config);
  if (config.runsApi) await registerBullBoard(app, config);
  const publicDirectory = findPublicDirectory();
  if (publicDirectory) {
    app.useStaticAssets({ root: publicDirectory, prefix: '/', wildcard: false, index: ['index.html'] });
    registerWebVendor(fastify);
  }

  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });

  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  await fastify.ready();
  return app;
}

/** `dist/public` once built (the build copies `public/`), `public/` when run from sources (tests). */
function findPublicDirectory(): string | undefined {
  return [path.join(__dirname, 'public'), path.join(__dirname, '..', 'public')].find((candidate) =>
    existsSync(candidate),
  );
}
