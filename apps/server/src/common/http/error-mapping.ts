import { AiScaleError } from '@ai-scale/errors';
import { HttpException } from '@nestjs/common';

/** What the caller receives for any error: a status, `{"error": {"code", "message"}}`, maybe Retry-After. */
export interface MappedError {
  readonly status: number;
  readonly body: {
    readonly error: { readonly code: string; readonly message: string; readonly field?: string };
  };
  readonly retryAfterSeconds?: number;
}

/**
 * Error codes whose status is not the category's default. The ONE place where package error codes
 * meet HTTP: packages never know about HTTP, controllers never pick a status for an error.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  BUDGET_EXCEEDED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  DOCUMENT_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  AGENT_RUN_NOT_FOUND: 404,
  UNKNOWN_AGENT: 400,
  AGENT_NOT_FOUND: 400,
  PAYLOAD_TOO_LARGE: 413,
  DOCUMENT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_FILE_TYPE: 415,
  RATE_LIMITED: 429,
  TENANT_TOKEN_RATE_LIMITED: 429,
  RUN_NOT_RESUMABLE: 409,
  RUN_ALREADY_FINISHED: 409,
  JOB_ALREADY_FINISHED: 409,
  DOCUMENT_TYPE_UNSUPPORTED: 415,
  PROVIDER_RATE_LIMITED: 503,
  CONTEXT_WINDOW_EXCEEDED: 400,
};

const CODE_BY_HTTP_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  402: 'PAYMENT_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

function statusOfAiScaleError(error: AiScaleError): number {
  const known = STATUS_BY_CODE[error.code];
  if (known !== undefined) return known;
  if (/_NOT_FOUND$/.test(error.code)) return 404;
  switch (error.category) {
    case 'USER':
      return 400;
    case 'THIRD_PARTY':
      return error.isRetryable ? 503 : 502;
    case 'SYSTEM':
      return error.isRetryable ? 503 : 500;
  }
}

/** Maps anything thrown while serving a request to the response the caller sees. */
export function mapError(error: unknown): MappedError {
  if (AiScaleError.isInstance(error)) {
    const status = statusOfAiScaleError(error);
    const field = typeof error.details.field === 'string' ? error.details.field : undefined;
    const retryAfter =
      typeof error.details.retryAfterSeconds === 'number' ? error.details.retryAfterSeconds : undefined;
    return {
      status,
      body: {
        error: {
          code: error.code,
          message: status >= 500 ? publicMessage(error) : error.message,
          ...(field ? { field } : {}),
        },
      },
      retryAfterSeconds:
        status === 503 || status === 429 ? Math.max(1, Math.ceil(retryAfter ?? 1)) : retryAfter,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    return {
      status,
      body: {
        error: { code: CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'HTTP_ERROR'), message },
      },
    };
  }
  if (typeof error === 'object' && error !== null) {
    const candidate = error as { code?: unknown; statusCode?: unknown; message?: unknown };
    // Fastify-style errors (body parser, multipart limits, rate limit) carry their own 4xx status.
    if (
      typeof candidate.statusCode === 'number' &&
      candidate.statusCode >= 400 &&
      candidate.statusCode < 500
    ) {
      return {
        status: candidate.statusCode,
        body: {
          error: {
            code: CODE_BY_HTTP_STATUS[candidate.statusCode] ?? 'HTTP_ERROR',
            message: String(candidate.message),
          },
        },
      };
    }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}

/** 5xx messages may carry internals (hosts, SQL); the caller gets the code and a generic sentence. */
function publicMessage(error: AiScaleError): string {
  return error.category === 'THIRD_PARTY'
    ? 'an upstream provider failed, retry shortly'
    : error.code === 'DEPENDENCY_UNAVAILABLE'
      ? error.message
      : 'a dependency is unavailable, retry shortly';
}
