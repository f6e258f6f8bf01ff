import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { openApiResponseSchema } from '../validation/openapi';

/** The one error body of the API (see AllExceptionsFilter), a named component of the document. */
export const ERROR_SCHEMA_NAME = 'ErrorBody';
export const errorBodySchema = {
  type: 'object' as const,
  description: 'Every error response: a stable machine-readable code and a sentence for people.',
  required: ['error'],
  properties: {
    error: {
      type: 'object' as const,
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string' as const,
          description: 'Stable, e.g. INVALID_REQUEST, NOT_FOUND',
          example: 'INVALID_REQUEST',
        },
        message: { type: 'string' as const, example: 'query: must not be empty' },
        field: { type: 'string' as const, description: 'The offending request field, when one is to blame' },
      },
    },
  },
};
const ERROR_REF = { $ref: `#/components/schemas/${ERROR_SCHEMA_NAME}` };

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' as const } },
};

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request: a body, query or path parameter failed validation (INVALID_REQUEST names the field)',
  401: 'Missing, unknown or revoked credentials (UNAUTHORIZED)',
  402: "The tenant's monthly budget is spent (BUDGET_EXCEEDED)",
  403: 'Forbidden (FORBIDDEN; e.g. the admin API is disabled without ADMIN_TOKEN)',
  404: 'Not found, or owned by another tenant (NOT_FOUND, JOB_NOT_FOUND, DOCUMENT_NOT_FOUND, …)',
  409: 'Conflict with the current state (e.g. RUN_NOT_RESUMABLE)',
  413: 'Payload too large (PAYLOAD_TOO_LARGE)',
  415: 'Unsupported media or file type (UNSUPPORTED_MEDIA_TYPE, DOCUMENT_TYPE_UNSUPPORTED)',
  429: 'Rate limited (RATE_LIMITED); Retry-After says when to retry',
  500: 'Internal error (INTERNAL); the message never carries internals',
  502: 'An upstream model provider failed for good',
  503: 'A dependency (database, Redis, queue, vector store, provider) is unavailable; Retry-After says when to retry',
};

/** The errors every route with a tenant API key can answer. */
export const TENANT_ERRORS = [400, 401, 429, 500, 503] as const;
/** The errors every admin route can answer (no rate limit on admin routes). */
export const ADMIN_ERRORS = [400, 401, 403, 500, 503] as const;

/** `{"error": {"code", "message"}}` responses for these statuses (429 and 503 with Retry-After). */
export function ApiErrorResponses(...statuses: readonly number[]): MethodDecorator & ClassDecorator {
  return errorResponses(ERROR_REF, statuses);
}

/** Error responses whose body is another named component (the OpenAI-compatible API's error body). */
export function ApiErrorResponsesOf(
  schemaName: string,
  ...statuses: readonly number[]
): MethodDecorator & ClassDecorator {
  return errorResponses({ $ref: `#/components/schemas/${schemaName}` }, statuses);
}

function errorResponses(
  schema: { $ref: string },
  statuses: readonly number[],
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status] ?? `Error ${status}`,
        content: { 'application/json': { schema } },
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      }),
    ),
  );
}

/** A JSON response whose body is described by a zod schema (the output side of it). */
export function ApiJsonResponse(status: number, description: string, schema: z.ZodType): MethodDecorator {
  return ApiResponse({
    status,
    description,
    content: { 'application/json': { schema: openApiResponseSchema(schema) } },
  });
}

type SseEvents = Readonly<Record<string, { readonly description: string; readonly data: z.ZodType }>>;

/**
 * The `text/event-stream` media type of a response. OpenAPI 3.0 has no vocabulary for event
 * streams, so the schema describes ONE message as `{event, data}`: each arrives as `event: <event>`
 * and `data: <JSON>` lines, then a blank line. Comment lines (`: heartbeat`, every 15 s) carry no data.
 */
export function sseContent(events: SseEvents) {
  return {
    schema: {
      description: 'One server-sent event (`event:` line, `data:` line with JSON)',
      oneOf: Object.entries(events).map(([event, spec]) => ({
        type: 'object' as const,
        title: event,
        description: spec.description,
        required: ['event', 'data'],
        properties: {
          event: { type: 'string' as const, enum: [event] },
          data: openApiResponseSchema(spec.data),
        },
      })),
    },
  };
}

/** A `text/event-stream` of `data:`-only messages (no `event:` line), as OpenAI streams: one of these. */
export function sseDataContent(messages: SseEvents) {
  return {
    schema: {
      description: 'The JSON of one `data:` line',
      oneOf: Object.entries(messages).map(([name, spec]) => ({
        ...openApiResponseSchema(spec.data),
        title: name,
        description: spec.description,
      })),
    },
  };
}

/** A 200 `text/event-stream` response with these events. */
export function ApiSseResponse(description: string, events: SseEvents): MethodDecorator {
  const names = Object.keys(events).map((name) => `\`${name}\``);
  return ApiResponse({
    status: 200,
    description: `${description} Events: ${names.join(', ')}.`,
    content: { 'text/event-stream': sseContent(events) },
  });
}
