import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_SCHEMA_NAME, errorBodySchema } from '../common/http/openapi-responses';
import { OPENAI_ERROR_SCHEMA_NAME, openAiErrorBodySchema } from '../modules/openai/openai.responses';

/**
 * The OpenAPI 3 document of the HTTP API, built from the controllers' decorators. Served at
 * /docs/openapi.json, written to a file by `npm run openapi -w @ai-scale/server` and linted in CI.
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ai-scale')
      .setDescription(
        'Documents, search, chat, agents, jobs and usage; multi-tenant. Authenticate with ' +
          '`Authorization: Bearer <api key>` (admin routes: the ADMIN_TOKEN). Every error is ' +
          '`{"error": {"code", "message"}}` with a stable code; 429 and 503 carry Retry-After.',
      )
      .setVersion('0.1.0')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'this server')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A tenant API key (ask_…)' }, 'apiKey')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN' }, 'adminToken')
      .addTag('documents', 'Add documents (JSON or a file), list, inspect and delete them')
      .addTag('search', "Vector, keyword or hybrid search over the caller's documents")
      .addTag('chat', 'Answers with citations: sync, async (a job) or streamed (server-sent events)')
      .addTag('agents', 'Durable agent runs: start, inspect, resume a paused run')
      .addTag('jobs', 'Background jobs: state and result, or their events as a stream')
      .addTag('usage', 'Tokens, cost and cache savings of the caller')
      .addTag('stats', 'Live panel data of the web page')
      .addTag('admin', 'Tenants, their limits and API keys (ADMIN_TOKEN)')
      .addTag(
        'openai',
        'The OpenAI API (chat completions, embeddings, models) for clients written against it',
      )
      .addTag('health', 'Liveness, readiness and the Prometheus scrape; no authentication')
      .build(),
  );
  // An operation without a security requirement is public on purpose (health, metrics): say so.
  for (const pathItem of Object.values(document.paths))
    for (const operation of Object.values(pathItem))
      if (typeof operation === 'object' && operation !== null && 'responses' in operation)
        (operation as { security?: unknown[] }).security ??= [];
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      [ERROR_SCHEMA_NAME]: errorBodySchema,
      [OPENAI_ERROR_SCHEMA_NAME]: openAiErrorBodySchema,
    },
  };
  return document;
}
