import {
  createLlmGateway,
  ExtractiveLlmProvider,
  MemoryUsageLedger,
  type GatewayChatRequest,
  type GatewayChatResult,
} from '@ai-scale/llm-gateway';
import { MemoryCheckpointStore } from '../../adapters/memory/memory-checkpoint-store';
import { gatewayAgentModel, type ChatGateway } from '../../models/gateway-agent-model';
import { AgentRuntime } from '../../runtime/agent-runtime';
import { NOTHING_FOUND } from './research-planner';
import { researchAgent } from './research-agent';
import type { ResearchDocument, ResearchSearch } from './research-tools';

const DOCUMENTS: ResearchDocument[] = [
  {
    documentId: 'refund-policy',
    title: 'Refund policy',
    text: 'Customers may request a refund within 30 days of purchase. Refunds are paid to the original card within 5 business days. Gift cards are not refundable.',
  },
  {
    documentId: 'shipping',
    title: 'Shipping',
    text: 'Orders ship within 2 days. Express delivery costs 9 EUR.',
  },
  { documentId: 'careers', title: 'Careers', text: 'We hire engineers in Berlin and Lisbon.' },
];

const terms = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** A keyword search over the documents, standing in for the retrieval service. */
const search: ResearchSearch = async ({ query, topK }) => {
  const wanted = new Set(terms(query).filter((term) => term.length > 3));
  const results = DOCUMENTS.map((document) => ({
    documentId: document.documentId,
    chunkId: `${document.documentId}#0`,
    text: document.text,
    score: terms(document.text).filter((term) => wanted.has(term)).length,
    metadata: { title: document.title ?? '' },
  }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, topK ?? 5);
  return { results };
};

/**
 * The embedded defaults: the real routing gateway over the extractive provider, with a usage
 * ledger. `requests` sees every call the gateway receives.
 */
function extractiveGateway(
  requests: GatewayChatRequest[] = [],
  ledger = new MemoryUsageLedger(),
): ChatGateway {
  const gateway = createLlmGateway({
    providers: [{ provider: new ExtractiveLlmProvider() }],
    models: [{ id: 'extractive', provider: 'extractive', tier: 'small', contextWindow: 128_000 }],
    routes: { small: ['extractive'], large: ['extractive'] },
    ledger,
  });
  return {
    chat(request): Promise<GatewayChatResult> {
      requests.push(request);
      return gateway.chat(request);
    },
  };
}

describe('the research demo agent', () => {
  it('searches, reads the top document and answers with citations on the deterministic planner', async () => {
    const reads: string[] = [];
    const requests: GatewayChatRequest[] = [];
    const ledger = new MemoryUsageLedger();
    const definition = researchAgent({
      search,
      readDocument: async ({ documentId }) => {
        reads.push(documentId);
        return DOCUMENTS.find((document) => document.documentId === documentId) ?? null;
      },
      gateway: extractiveGateway(requests, ledger),
    });
    const runtime = new AgentRuntime({ store: new MemoryCheckpointStore(), agents: [definition] });
    const started = await runtime.startRun(
      'research',
      { question: 'Within how many days can customers request a refund?' },
      { tenantId: 'acme' },
    );
    const run = await runtime.processRun(started.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      stopReason: 'final_answer',
      steps: 3,
      toolCalls: 2,
      versions: {
        model: 'research-planner',
        promptVersion: 'research-v1',
        tools: { search_knowledge_base: '1.0.0', read_document: '1.0.0' },
      },
    });
    const output = run.output as { answer: string; citations: { documentId: string }[] };
    expect(output.answer).toContain('30 days');
    expect(output.citations.map((citation) => citation.documentId)).toContain('refund-policy');
    expect(reads).toEqual(['refund-policy']);
    expect(requests[0]).toMatchObject({
      tenantId: 'acme',
      requestId: `${run.runId}:3:research-planner`,
      temperature: 0,
      seed: 7,
    });
  });

  it('says so when the knowledge base has nothing on the question', async () => {
    const definition = researchAgent({
      search,
      readDocument: async () => null,
      gateway: extractiveGateway(),
    });
    const runtime = new AgentRuntime({ store: new MemoryCheckpointStore(), agents: [definition] });
    const started = await runtime.startRun('research', { question: 'zebra?' });
    const run = await runtime.processRun(started.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { answer: NOTHING_FOUND, citations: [] },
      toolCalls: 1,
    });
  });

  it('runs a tool-calling model through the gateway, and falls back to the planner when it fails', async () => {
    const requests: GatewayChatRequest[] = [];
    const extractive = extractiveGateway();
    let turn = 0;
    // A tool-calling model: asks for a search, then breaks down.
    const modelGateway: ChatGateway = {
      async chat(request) {
        requests.push(request);
        turn += 1;
        if (turn > 1)
          throw Object.assign(new Error('every provider failed'), { code: 'ALL_PROVIDERS_FAILED' });
        return {
          requestId: request.requestId,
          tier: null,
          cache: null,
          savedCostUsd: 0,
          attempts: [],
          fallbacks: 0,
          downgraded: false,
          trimmed: { messages: 0, passages: 0 },
          finishReason: 'tool_calls',
          provider: 'openai',
          content: '',
          toolCalls: [
            { id: 'tc1', name: 'search_knowledge_base', arguments: '{"query":"refund days","topK":2}' },
          ],
          usage: { promptTokens: 120, completionTokens: 8, cachedTokens: 0 },
          costUsd: 0.0002,
          model: 'gpt-test',
        };
      },
    };
    const definition = researchAgent({
      search,
      readDocument: async ({ documentId }) =>
        DOCUMENTS.find((document) => document.documentId === documentId) ?? null,
      gateway: extractive,
      model: gatewayAgentModel(modelGateway, { model: 'gpt-test' }),
    });
    const runtime = new AgentRuntime({ store: new MemoryCheckpointStore(), agents: [definition] });
    const started = await runtime.startRun('research', { question: 'How many days for a refund?' });
    const run = await runtime.processRun(started.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      versions: { model: 'gpt-test', fallbackModel: 'research-planner', lastModelUsed: 'extractive' },
      usage: { inputTokens: expect.any(Number), costUsd: 0.0002 },
    });
    expect((run.output as { answer: string }).answer).toContain('30 days');
    expect(requests[0]).toMatchObject({
      model: 'gpt-test',
      requestId: `${run.runId}:1:gpt-test`,
      toolChoice: 'auto',
      noCache: true,
      tools: [{ name: 'search_knowledge_base' }, { name: 'read_document' }],
    });
    expect(requests[0]!.tools![0]!.parameters).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['query']),
    });
  });
});
