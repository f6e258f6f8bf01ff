import { z } from 'zod';
import { defineTool } from '../../tools/define-tool';

export interface ResearchSearchHit {
  readonly chunkId: string;
  readonly documentId: string;
  readonly text: string;
  readonly score: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** `Retrieval.search` of `@ai-scale/retrieval` has this shape. */
export type ResearchSearch = (input: {
  readonly tenantId: string;
  readonly query: string;
  readonly topK?: number;
}) => Promise<{ readonly results: readonly ResearchSearchHit[] }>;

export interface ResearchDocument {
  readonly documentId: string;
  readonly title?: string;
  readonly text: string;
}

/** Reads one document of the tenant's knowledge base; `null` when it does not exist. */
export type ResearchDocumentReader = (input: {
  readonly tenantId: string;
  readonly documentId: string;
}) => Promise<ResearchDocument | null>;

export const SEARCH_TOOL = 'search_knowledge_base';
export const READ_TOOL = 'read_document';

const searchOutput = z.object({
  results: z.array(
    z.object({
      documentId: z.string(),
      chunkId: z.string(),
      score: z.number(),
      text: z.string(),
      title: z.string().nullable(),
    }),
  ),
});
export type SearchToolOutput = z.infer<typeof searchOutput>;

const readOutput = z.object({
  documentId: z.string(),
  title: z.string().nullable(),
  text: z.string(),
  found: z.boolean(),
  truncated: z.boolean(),
});
export type ReadToolOutput = z.infer<typeof readOutput>;

export interface ResearchToolOptions {
  readonly search: ResearchSearch;
  readonly readDocument: ResearchDocumentReader;
  /** Characters of each hit's text shown to the model. Default 600. */
  readonly snippetChars?: number;
  /** Characters of a document returned by `read_document`. Default 12,000. */
  readonly documentChars?: number;
  readonly timeoutMs?: number;
}

const titleOf = (metadata: Readonly<Record<string, unknown>> | undefined): string | null =>
  typeof metadata?.title === 'string' ? metadata.title : null;

/** The research agent's tools; their dependencies are injected, so the server wires its retrieval service and document store. */
export function researchTools(options: ResearchToolOptions) {
  const snippetChars = options.snippetChars ?? 600;
  const documentChars = options.documentChars ?? 12_000;
  const retry = { maxAttempts: 3, backoffMs: 50 };
  const search = defineTool({
    name: SEARCH_TOOL,
    version: '1.0.0',
    description: 'Searches the knowledge base; returns the best matching passages with their document ids.',
    input: z.object({
      query: z.string().min(1).max(1_000).describe('What to look for'),
      topK: z.number().int().min(1).max(20).default(5).describe('How many passages'),
    }),
    output: searchOutput,
    timeoutMs: options.timeoutMs ?? 10_000,
    retry,
    async execute({ query, topK }, context): Promise<SearchToolOutput> {
      const response = await options.search({ tenantId: context.tenantId, query, topK });
      return {
        results: response.results.map((hit) => ({
          documentId: hit.documentId,
          chunkId: hit.chunkId,
          score: hit.score,
          text: hit.text.slice(0, snippetChars),
          title: titleOf(hit.metadata),
        })),
      };
    },
  });
  const read = defineTool({
    name: READ_TOOL,
    version: '1.0.0',
    description: 'Reads a whole document of the knowledge base by its id.',
    input: z.object({ documentId: z.string().min(1).max(500) }),
    output: readOutput,
    timeoutMs: options.timeoutMs ?? 10_000,
    retry,
    async execute({ documentId }, context): Promise<ReadToolOutput> {
      const document = await options.readDocument({ tenantId: context.tenantId, documentId });
      if (!document) return { documentId, title: null, text: '', found: false, truncated: false };
      return {
        documentId,
        title: document.title ?? null,
        text: document.text.slice(0, documentChars),
        found: true,
        truncated: document.text.length > documentChars,
      };
    },
  });
  return { search, read };
}
