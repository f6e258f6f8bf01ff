import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { type AppConfig } from './config';
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
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  registerHttpMetrics(fastify, app.get(RequestStats));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ai-scale')
      .setDescription(
        'Documents, search, chat, agents, jobs and usage; multi-tenant. Authenticate with Bearer <api key>.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  await fastify.ready();
  return app;
}
