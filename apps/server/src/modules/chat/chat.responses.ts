import { z } from 'zod';
import { jobAcceptedResponse } from '../jobs/jobs.responses';

export const answerResponse = z.object({
  answer: z.string(),
  citations: z.array(z.object({ documentId: z.string(), chunkId: z.string() })),
  usage: z.object({
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    costUsd: z.number(),
  }),
  cache: z.enum(['exact', 'semantic']).nullable().describe('Set when the answer came from the answer cache'),
  conversationId: z.string().describe('Send it back to continue the conversation'),
});

export const chatAcceptedResponse = jobAcceptedResponse;

export const chatStreamEvents = {
  token: { description: 'A piece of the answer, in order', data: z.object({ text: z.string() }) },
  done: { description: 'The whole answer, last event of a successful stream', data: answerResponse },
  error: {
    description: 'The stream failed after it opened (same code and message as an error response); last event',
    data: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
  },
};
