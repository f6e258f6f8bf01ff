import { z } from 'zod';

export const searchResponse = z.object({
  results: z.array(
    z.object({
      chunkId: z.string(),
      documentId: z.string(),
      text: z.string(),
      score: z.number().describe('Higher is better; comparable only within one response'),
      metadata: z
        .record(z.string(), z.unknown())
        .describe("The document's metadata plus headingPath and ordinal"),
    }),
  ),
  mode: z.enum(['vector', 'keyword', 'hybrid']).describe('The mode actually served'),
  timings: z.object({
    embedMs: z.number(),
    searchMs: z.number(),
    rerankMs: z.number(),
    totalMs: z.number(),
  }),
});
