import { LocalEmbedder } from '../embedders/local-embedder';
import { analyze } from '../text/analyzer';
import { FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http-server';

/**
 * An OpenAI-compatible embeddings server (`POST /v1/embeddings`) answering with `LocalEmbedder`
 * vectors of `dimensions`, so tests over real HTTP get deterministic, meaningful embeddings.
 * Base URL for adapters: `${server.url}/v1`.
 */
export async function startFakeEmbeddingsServer(options: { dimensions: number }): Promise<FakeHttpServer> {
  const embedder = new LocalEmbedder({ dimensions: options.dimensions });
  return FakeHttpServer.start((request: RecordedRequest): FakeResponse => {
    if (request.method !== 'POST' || request.path !== '/v1/embeddings')
      return { status: 404, body: { error: { message: 'not found' } } };
    const body = request.body as { model?: unknown; input?: unknown };
    const input = typeof body?.input === 'string' ? [body.input] : body?.input;
    if (
      typeof body?.model !== 'string' ||
      !Array.isArray(input) ||
      !input.every((text) => typeof text === 'string')
    ) {
      return { status: 400, body: { error: { message: 'model and input are required' } } };
    }
    return {
      status: 200,
      body: {
        object: 'list',
        model: body.model,
        data: (input as string[]).map((text, index) => ({
          object: 'embedding',
          index,
          embedding: embedder.embedOne(text),
        })),
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      },
    };
  });
}

/** A Cohere-compatible rerank server (`POST /v1/rerank`) scoring by shared stemmed terms. */
export async function startFakeRerankServer(): Promise<FakeHttpServer> {
  return FakeHttpServer.start((request: RecordedRequest): FakeResponse => {
    if (request.method !== 'POST' || request.path !== '/v1/rerank')
      return { status: 404, body: { message: 'not found' } };
    const body = request.body as { query?: unknown; documents?: unknown; top_n?: unknown };
    if (typeof body?.query !== 'string' || !Array.isArray(body.documents))
      return { status: 400, body: { message: 'query and documents are required' } };
    const queryTerms = new Set(analyze(body.query).map((term) => term.term));
    const results = (body.documents as string[])
      .map((document, index) => {
        const terms = analyze(typeof document === 'string' ? document : '').map((term) => term.term);
        const shared = terms.filter((term) => queryTerms.has(term)).length;
        return {
          index,
          relevance_score:
            terms.length === 0 ? 0 : shared / Math.sqrt(terms.length * Math.max(1, queryTerms.size)),
        };
      })
      .sort((left, right) => right.relevance_score - left.relevance_score)
      .slice(0, typeof body.top_n === 'number' ? body.top_n : undefined);
    return { status: 200, body: { id: 'fake', results, meta: { billed_units: { search_units: 1 } } } };
  });
}
