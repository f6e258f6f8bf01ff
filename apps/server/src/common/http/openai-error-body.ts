import { type MappedError } from './error-mapping';

/** Routes whose errors use OpenAI's error body (the OpenAI-compatible API) instead of ai-scale's. */
export const OPENAI_ROUTE_PREFIX = '/v1/openai/';

/** The error body of the OpenAI API: what its SDKs parse into `APIError` (status, type, code, param). */
export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly code: string | null;
    readonly param: string | null;
  };
}

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** ai-scale codes that have an OpenAI name of their own; the rest are sent lower-cased. */
const OPENAI_CODE: Readonly<Record<string, string>> = {
  UNAUTHORIZED: 'invalid_api_key',
  RATE_LIMITED: 'rate_limit_exceeded',
  TENANT_TOKEN_RATE_LIMITED: 'rate_limit_exceeded',
  BUDGET_EXCEEDED: 'insufficient_quota',
  CONTEXT_WINDOW_EXCEEDED: 'context_length_exceeded',
  MODEL_NOT_FOUND: 'model_not_found',
};

/** Re-shapes ai-scale's one error mapping (status, code, Retry-After) into OpenAI's error body. */
export function toOpenAiError(mapped: MappedError): OpenAiErrorBody {
  const { code, message, field } = mapped.body.error;
  return {
    error: {
      message,
      type: TYPE_BY_STATUS[mapped.status] ?? (mapped.status >= 500 ? 'api_error' : 'invalid_request_error'),
      code: OPENAI_CODE[code] ?? code.toLowerCase(),
      param: field ?? null,
    },
  };
}
