import { type RequestBudget } from '@ai-scale/llm-gateway';
import { z } from 'zod';

export const chatMessageSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.string().trim().min(1, 'must not be empty').max(20_000),
});

export const chatRequestSchema = z
  .strictObject({
    message: z.string().trim().min(1, 'must not be empty').max(20_000).optional(),
    messages: z.array(chatMessageSchema).min(1).max(100).optional(),
    conversationId: z.string().min(1).max(100).optional(),
    mode: z.enum(['sync', 'async', 'stream']).default('sync'),
    model: z.string().min(1).max(200).optional(),
    tier: z.enum(['small', 'large']).optional(),
  })
  .refine((body) => (body.message === undefined) !== (body.messages === undefined), {
    message: 'send either `message` or `messages`',
    path: ['message'],
  })
  .refine((body) => body.messages === undefined || body.messages.at(-1)?.role === 'user', {
    message: 'the last message must be from the user',
    path: ['messages'],
  });

export type ChatRequest = z.output<typeof chatRequestSchema>;

/** The job payload of `chat-answer` and the input of the use case. */
export interface AnswerQuestionInput {
  readonly tenantId: string;
  readonly conversationId?: string;
  readonly messages: ReadonlyArray<{ role: 'user' | 'assistant'; content: string }>;
  readonly model?: string;
  readonly tier?: 'small' | 'large';
  /** Budgets besides the tenant's that the model call is reserved against (the API key's). */
  readonly budgets?: ReadonlyArray<RequestBudget>;
}

/** What every chat mode returns (sync body, async job result, the stream's final `done` event). */
export interface Answer {
  readonly answer: string;
  readonly citations: ReadonlyArray<{ documentId: string; chunkId: string }>;
  readonly usage: { promptTokens: number; completionTokens: number; costUsd: number };
  readonly cache: 'exact' | 'semantic' | null;
  readonly conversationId: string;
}

export const CHAT_ANSWER_JOB = 'chat-answer';
