import { z } from 'zod';
import { openApiResponseSchema } from '../../common/validation/openapi';

/** OpenAI's error body (what its SDKs parse into `APIError`), the shape of every /v1/openai error. */
export const openAiErrorBodyZod = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().meta({ example: 'invalid_request_error' }),
      code: z.string().nullable().meta({ example: 'model_not_found' }),
      param: z.string().nullable().describe('The offending request field'),
    }),
  })
  .describe("OpenAI's error body: `type` by status, `code` (e.g. invalid_api_key, rate_limit_exceeded)");
export const OPENAI_ERROR_SCHEMA_NAME = 'OpenAiErrorBody';
export const openAiErrorBodySchema = openApiResponseSchema(openAiErrorBodyZod);

const usage = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int() }),
});

const aiScale = z
  .object({
    request_id: z.string(),
    cost_usd: z.number(),
    cache: z.enum(['exact', 'semantic']).nullable(),
    tier: z.enum(['small', 'large']).nullable(),
    fallbacks: z.number().int(),
    citations: z.array(z.object({ document_id: z.string(), chunk_id: z.string() })),
  })
  .describe('What ai-scale adds: cost, cache, routing and, with ai_scale.rag, citations');

const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string().describe('JSON text') }),
});

const finishReason = z.string().describe('stop, length, tool_calls or content_filter');

export const modelListResponse = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() }),
  ),
});

export const chatCompletionResponse = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int().describe('Unix seconds'),
  model: z.string(),
  system_fingerprint: z.null(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({
        role: z.literal('assistant'),
        content: z.string().nullable(),
        refusal: z.null(),
        tool_calls: z.array(toolCall).optional(),
      }),
      finish_reason: finishReason,
      logprobs: z.null(),
    }),
  ),
  usage,
  ai_scale: aiScale,
});

const chunk = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  system_fingerprint: z.null(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({
        role: z.literal('assistant').optional(),
        content: z.string().optional(),
        tool_calls: z
          .array(
            z.object({
              index: z.number().int(),
              id: z.string().optional(),
              type: z.literal('function').optional(),
              function: z.object({ name: z.string().optional(), arguments: z.string() }),
            }),
          )
          .optional(),
      }),
      finish_reason: finishReason.nullable(),
      logprobs: z.null(),
    }),
  ),
  usage: usage.optional().describe('Only on the extra last chunk with stream_options.include_usage'),
  ai_scale: aiScale.optional().describe('On the chunk that carries finish_reason'),
});

/** `data:`-only events, as OpenAI streams them (no `event:` lines). */
export const chatCompletionStreamEvents = {
  chunk: { description: 'A chat.completion.chunk', data: chunk },
  done: { description: 'The literal `[DONE]`: the stream ends', data: z.literal('[DONE]') },
};

export const embeddingsResponse = z.object({
  object: z.literal('list'),
  model: z.string(),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z
        .union([z.array(z.number()), z.string()])
        .describe('Floats, or with encoding_format=base64 little-endian float32 bytes in base64'),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});
