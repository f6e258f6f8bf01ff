import { z } from 'zod';
import { timestampSchema } from '../../common/validation/openapi';

const status = z.enum(['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled']);

export const startedRunResponse = z.object({ runId: z.string(), status });

export const runResponse = z.object({
  runId: z.string(),
  agent: z.string(),
  status,
  input: z.unknown(),
  output: z.unknown().describe('The final answer (JSON), null until the run succeeds'),
  stopReason: z.string().nullable().describe('final_answer, awaiting_input, max_steps, loop_detected, …'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  awaiting: z.object({ prompt: z.string(), data: z.unknown().optional() }).nullable(),
  usage: z.object({
    modelCalls: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costUsd: z.number(),
  }),
  stepCount: z.number().int(),
  toolCalls: z.number().int(),
  createdAt: timestampSchema,
  finishedAt: timestampSchema.nullable(),
});

export const runWithStepsResponse = runResponse.extend({
  steps: z.array(
    z.object({
      runId: z.string(),
      step: z.number().int(),
      state: z.unknown(),
      summary: z.unknown().describe('Model used, tool calls, duration'),
      createdAt: timestampSchema,
    }),
  ),
});

export const runStreamEvents = {
  status: {
    description: 'The run status changed (first event: the status now)',
    data: z.object({
      runId: z.string(),
      status,
      stepCount: z.number().int(),
      usage: runResponse.shape.usage,
    }),
  },
  step: {
    description:
      'A checkpointed step (SSE id = step number, for Last-Event-ID): the model call with its tokens and cost, the tool calls',
    data: z.object({
      runId: z.string(),
      step: z.number().int(),
      summary: z.unknown().describe('model, usage {inputTokens, outputTokens, costUsd}, toolCalls, stopped'),
      createdAt: timestampSchema,
    }),
  },
  end: {
    description:
      'The run as GET /v1/agents/runs/{id} shows it, once succeeded, failed, cancelled or paused; then the stream ends',
    data: runResponse,
  },
};
