import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  approximateTokens,
  deterministicEmbedding,
  FakeServerState,
  readJson,
  wait,
  type FakeServerOptions,
  type FakeServerStats,
  type FaultKind,
} from './fake-server-common';

/** The subset of an OpenAI chat completions request body the fake server reads. */
export interface OpenAiWireRequest {
  model?: string;
  messages?: Array<{ role: string; content?: string | null; tool_call_id?: string }>;
  tools?: Array<{ type: 'function'; function: { name: string } }>;
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

export interface FakeOpenAiServerOptions extends FakeServerOptions {
  /** The assistant's answer; default `Answer from <model> to "<last user message>".` */
  readonly respond?: (request: OpenAiWireRequest) => string;
  /** Requests whose prompt (≈4 chars per token) exceeds this are refused with `context_length_exceeded`. */
  readonly contextWindowTokens?: number;
  /** Embedding dimensions. Default 64. */
  readonly embeddingDimensions?: number;
  readonly models?: readonly string[];
  /** Send the usage chunk when `stream_options.include_usage` asks for it (default true; false: like a server that ignores it). */
  readonly streamUsage?: boolean;
}

export interface FakeOpenAiServer {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  readonly stats: FakeServerStats;
  /** The last chat request body received, for assertions on what an adapter sent. */
  lastChatRequest(): OpenAiWireRequest | undefined;
  /** Makes the next requests fail, in order, before the random fault rates apply. */
  injectFaults(faults: readonly FaultKind[]): void;
  close(): Promise<void>;
}

function lastUser(body: OpenAiWireRequest): string {
  const messages = body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') return messages[i]?.content ?? '';
  }
  return '';
}

function promptTokens(body: OpenAiWireRequest): number {
  let chars = 0;
  for (const message of body.messages ?? []) chars += (message.content ?? '').length + 16;
  return (
    approximateTokens(' '.repeat(chars)) + (body.tools ? approximateTokens(JSON.stringify(body.tools)) : 0)
  );
}

function forcedToolName(body: OpenAiWireRequest): string | undefined {
  const choice = body.tool_choice;
  if (
    !body.tools ||
    body.tools.length === 0 ||
    choice === undefined ||
    choice === 'auto' ||
    choice === 'none'
  )
    return undefined;
  return choice === 'required' ? body.tools[0]?.function.name : choice.function.name;
}

const errorBody = (kind: FaultKind): unknown => ({
  error: {
    message:
      kind === 'rate_limit' ? 'Rate limit reached (fake server)' : 'The server had an error (fake server)',
    type: kind === 'rate_limit' ? 'rate_limit_exceeded' : 'server_error',
    code: null,
  },
});

/**
 * A fake OpenAI-compatible HTTP server on `node:http`: `/v1/chat/completions` (JSON and SSE, tool
 * calls, usage), `/v1/embeddings` (deterministic vectors), `/v1/models`, a latency distribution, a
 * token rate for streams, and fault injection (429 + Retry-After, 500, hangs, malformed bodies),
 * both as seeded rates and as a scripted queue. For tests, and as a process for load tests
 * (`fake-openai-server-cli.js`).
 */
export async function startFakeOpenAiServer(
  options: FakeOpenAiServerOptions = {},
): Promise<FakeOpenAiServer> {
  const state = new FakeServerState(options);
  let lastChat: OpenAiWireRequest | undefined;
  let completionId = 0;

  const handleChat = async (body: OpenAiWireRequest, response: ServerResponse): Promise<void> => {
    const longId = tooLongToolCallId(body);
    if (longId) {
      // What OpenAI answers for a tool-call id over 40 characters (e.g. one another server made).
      response.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            message: `Invalid '${longId}': string too long. Expected a string with maximum length 40.`,
            type: 'invalid_request_error',
            param: longId,
            code: 'string_above_max_length',
          },
        }),
      );
      return;
    }
    state.stats.chatCompletions++;
    lastChat = body;
    const fault = state.nextFault();
    await wait(state.latencyMs());
    if (state.answerFault(fault, response, errorBody)) return;
    const model = body.model ?? 'fake-model';
    const prompt = promptTokens(body);
    if (options.contextWindowTokens !== undefined && prompt > options.contextWindowTokens) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            message: `This model's maximum context length is ${options.contextWindowTokens} tokens; your messages resulted in ${prompt} tokens.`,
            type: 'invalid_request_error',
            code: 'context_length_exceeded',
          },
        }),
      );
      return;
    }
    const toolName = forcedToolName(body);
    const content = toolName
      ? null
      : (options.respond?.(body) ?? `Answer from ${model} to "${lastUser(body)}".`);
    const toolCall = toolName
      ? {
          id: `call_${++completionId}`,
          type: 'function',
          function: { name: toolName, arguments: JSON.stringify({ input: lastUser(body) }) },
        }
      : undefined;
    const usage = {
      prompt_tokens: prompt,
      completion_tokens: approximateTokens(content ?? toolCall?.function.arguments ?? ''),
      total_tokens: 0,
      prompt_tokens_details: { cached_tokens: 0 },
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-${++completionId}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = toolCall ? 'tool_calls' : 'stop';

    if (!body.stream) {
      if (fault === 'malformed') {
        state.stats.malformed++;
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(`{"id":"${id}","choices":[{"mess`);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content, ...(toolCall ? { tool_calls: [toolCall] } : {}) },
              finish_reason: finishReason,
            },
          ],
          usage,
        }),
      );
      return;
    }

    state.stats.streamed++;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = (payload: unknown): void => {
      response.write(`data: ${JSON.stringify(payload)}\n\n`);
    };
    const chunk = (delta: unknown, finish: string | null = null): unknown => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    send(chunk({ role: 'assistant', content: '' }));
    if (fault === 'malformed') {
      state.stats.malformed++;
      response.end('data: {"id": broken\n\n');
      return;
    }
    if (toolCall) {
      const args = toolCall.function.arguments;
      const half = Math.floor(args.length / 2);
      send(
        chunk({
          tool_calls: [
            { index: 0, id: toolCall.id, type: 'function', function: { name: toolName, arguments: '' } },
          ],
        }),
      );
      send(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }));
      send(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }));
    } else {
      const pieces = (content ?? '').match(/\S+\s*|\s+/g) ?? [];
      for (const [index, piece] of pieces.entries()) {
        if (fault === 'stream_break' && index === Math.ceil(pieces.length / 2)) {
          // Let what was written reach the client first: a break, not a lost buffer.
          await new Promise<void>((resolve) => response.write(': break\n\n', () => resolve()));
          await wait(20);
          response.destroy();
          return;
        }
        await wait(state.chunkDelayMs(approximateTokens(piece)));
        if (response.destroyed) return;
        send(chunk({ content: piece }));
      }
    }
    send(chunk({}, finishReason));
    if (body.stream_options?.include_usage && options.streamUsage !== false)
      send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
    response.end('data: [DONE]\n\n');
  };

  const handleEmbeddings = (
    body: { input?: string | string[]; model?: string; dimensions?: number },
    response: ServerResponse,
  ): void => {
    state.stats.embeddings++;
    const inputs = typeof body.input === 'string' ? [body.input] : (body.input ?? []);
    const dimensions = body.dimensions ?? options.embeddingDimensions ?? 64;
    const tokens = inputs.reduce((sum, input) => sum + approximateTokens(input), 0);
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        object: 'list',
        model: body.model ?? 'fake-embedding',
        data: inputs.map((input, index) => ({
          object: 'embedding',
          index,
          embedding: deterministicEmbedding(input, dimensions),
        })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    );
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    state.stats.requests++;
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/v1/models') {
      state.stats.models++;
      const models = options.models ?? ['fake-small', 'fake-large'];
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
        }),
      );
      return;
    }
    if (request.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/embeddings')) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    let body: unknown;
    try {
      body = await readJson(request);
    } catch {
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'invalid JSON body', type: 'invalid_request_error' } }));
      return;
    }
    if (path === '/v1/embeddings') handleEmbeddings(body as { input?: string | string[] }, response);
    else await handleChat(body as OpenAiWireRequest, response);
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => state.track(socket));
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/v1`,
    stats: state.stats,
    lastChatRequest: () => lastChat,
    injectFaults: (faults) => state.injectFaults(faults),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        state.destroyAll();
      }),
  };
}

/** The first tool-call id or tool_call_id over OpenAI's 40 characters, named as the API names it. */
function tooLongToolCallId(body: OpenAiWireRequest): string | undefined {
  for (const [index, message] of (body.messages ?? []).entries()) {
    const wire = message as { tool_call_id?: string; tool_calls?: Array<{ id?: string }> };
    if ((wire.tool_call_id?.length ?? 0) > 40) return `messages[${index}].tool_call_id`;
    for (const [position, call] of (wire.tool_calls ?? []).entries())
      if ((call.id?.length ?? 0) > 40) return `messages[${index}].tool_calls[${position}].id`;
  }
  return undefined;
}
