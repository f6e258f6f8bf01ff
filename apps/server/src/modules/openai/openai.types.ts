import { z } from 'zod';

/**
 * The request bodies of the OpenAI-compatible API (`/v1/openai/...`), as the OpenAI API documents
 * them. Parameters that change the answer and that the gateway does not support (`n` > 1, logprobs,
 * audio) are refused with a 400 naming them, never silently ignored; parameters that only tune
 * sampling (`top_p`, penalties) or carry caller metadata (`user`, `metadata`, `store`) are accepted
 * and not forwarded — say so in the README.
 */

const textPart = z.object({ type: z.literal('text'), text: z.string() });

/** Message content: a string or text parts (image and audio parts are refused with a 400). */
const content = z
  .union([z.string(), z.array(textPart).min(1)])
  .transform((value) => (typeof value === 'string' ? value : value.map((part) => part.text).join('')));

const toolCall = z.object({
  id: z.string().min(1).max(256),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(64), arguments: z.string().max(1_000_000) }),
});

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().max(64).optional() }),
  z.object({ role: z.literal('developer'), content, name: z.string().max(64).optional() }),
  z.object({ role: z.literal('user'), content, name: z.string().max(64).optional() }),
  z.object({
    role: z.literal('assistant'),
    content: content.nullish(),
    name: z.string().max(64).optional(),
    tool_calls: z.array(toolCall).max(128).optional(),
    refusal: z.string().nullish(),
  }),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string().min(1).max(256) }),
]);

const functionName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64');

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: functionName,
    description: z.string().max(8_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: functionName }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
      description: z.string().max(8_000).optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** ai-scale's own extension: ground the answer in the tenant's documents and return citations. */
const aiScaleOptions = z.strictObject({
  rag: z.strictObject({ topK: z.number().int().min(1).max(20).default(5) }).optional(),
});

const refused = (name: string) =>
  z
    .unknown()
    .optional()
    .refine((value) => value === undefined || value === null || value === false, {
      message: `${name} is not supported by this server`,
    });

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1).max(200),
  messages: z.array(message).min(1).max(1_000),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormat.optional(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).nullish(),
  n: z
    .number()
    .int()
    .nullish()
    .refine((value) => value === undefined || value === null || value === 1, {
      message: 'only n = 1 is supported',
    }),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().max(256).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  store: z.boolean().nullish(),
  logprobs: refused('logprobs'),
  top_logprobs: refused('top_logprobs'),
  audio: refused('audio'),
  ai_scale: aiScaleOptions.optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1).max(200),
  input: z.union([z.string().max(100_000), z.array(z.string().max(100_000)).min(1).max(2_048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(8_192).optional(),
  user: z.string().max(256).optional(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** `model: "auto"` lets the gateway's tier router pick the model (small for simple requests). */
export const AUTO_MODEL = 'auto';
