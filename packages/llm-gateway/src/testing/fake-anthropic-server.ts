import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  approximateTokens,
  FakeServerState,
  readJson,
  wait,
  type FakeServerOptions,
  type FakeServerStats,
  type FaultKind,
} from './fake-server-common';

/** The subset of an Anthropic Messages API request body the fake server reads. */
export interface AnthropicWireRequest {
  model?: string;
  system?: string | Array<{ type: 'text'; text: string }>;
  messages?: Array<{
    role: string;
    content: string | Array<{ type: string; text?: string; content?: unknown }>;
  }>;
  tools?: Array<{ name: string }>;
  tool_choice?: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string };
  stream?: boolean;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface FakeAnthropicServer {
  /** Base URL without `/v1` (what the Anthropic SDK's `baseURL` takes). */
  readonly url: string;
  readonly stats: FakeServerStats;
  lastRequest(): AnthropicWireRequest | undefined;
  /** Request headers of the last call (to check `x-api-key` and `anthropic-version`). */
  lastHeaders(): IncomingMessage['headers'] | undefined;
  injectFaults(faults: readonly FaultKind[]): void;
  close(): Promise<void>;
}

type WireContent = NonNullable<AnthropicWireRequest['messages']>[number]['content'];

function text(content: WireContent): string {
  if (typeof content === 'string') return content;
  return content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');
}

function lastUser(body: AnthropicWireRequest): string {
  const messages = body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'user') {
      const value = text(message.content);
      if (value) return value;
    }
  }
  return '';
}

const errorBody = (kind: FaultKind): unknown => ({
  type: 'error',
  error: {
    type: kind === 'rate_limit' ? 'rate_limit_error' : 'api_error',
    message: kind === 'rate_limit' ? 'Rate limited (fake server)' : 'Internal error (fake server)',
  },
});

/**
 * A local HTTP server speaking the Anthropic Messages API (`POST /v1/messages`, JSON and SSE
 * streaming with message_start / content_block_* / message_delta / message_stop events, tool_use,
 * usage, 429 with Retry-After, 500/529, malformed bodies), so the real `@anthropic-ai/sdk` client
 * can be tested without the network.
 */
export async function startFakeAnthropicServer(
  options: FakeServerOptions & {
    /** The answer's text for a request (default: a sentence naming the model and the question). */
    readonly respond?: (body: AnthropicWireRequest) => string | undefined;
  } = {},
): Promise<FakeAnthropicServer> {
  const state = new FakeServerState(options);
  let last: AnthropicWireRequest | undefined;
  let lastHeaders: IncomingMessage['headers'] | undefined;
  let counter = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    state.stats.requests++;
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'POST' || path !== '/v1/messages') {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not found' } }));
      return;
    }
    const body = (await readJson(request)) as AnthropicWireRequest;
    const badId = invalidToolUseId(body);
    if (badId) {
      // What the Messages API answers for an id outside its pattern (e.g. one another provider made).
      response.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: `${badId}: String should match pattern '^[a-zA-Z0-9_-]+$'`,
          },
        }),
      );
      return;
    }
    state.stats.chatCompletions++;
    last = body;
    lastHeaders = request.headers;
    const fault = state.nextFault();
    await wait(state.latencyMs());
    if (state.answerFault(fault, response, errorBody)) return;
    const model = body.model ?? 'claude-fake';
    const systemText =
      typeof body.system === 'string' ? body.system : (body.system ?? []).map((block) => block.text).join('');
    const inputTokens =
      approximateTokens(systemText) +
      (body.messages ?? []).reduce(
        (sum, message) => sum + approximateTokens(JSON.stringify(message.content)) + 4,
        0,
      );
    const choice = body.tool_choice;
    const toolName =
      body.tools && body.tools.length > 0 && choice && choice.type !== 'auto' && choice.type !== 'none'
        ? choice.type === 'tool'
          ? choice.name
          : body.tools[0]?.name
        : undefined;
    const answer = options.respond?.(body) ?? `Claude fake (${model}) answers "${lastUser(body)}".`;
    const toolInput = { input: lastUser(body) };
    const outputTokens = approximateTokens(toolName ? JSON.stringify(toolInput) : answer);
    const id = `msg_${++counter}`;
    const stopReason = toolName ? 'tool_use' : 'end_turn';
    const usage = {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    };

    if (!body.stream) {
      if (fault === 'malformed') {
        state.stats.malformed++;
        response.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"${id}","content":[{"ty`);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${counter}` }).end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: toolName
            ? [{ type: 'tool_use', id: `toolu_${counter}`, name: toolName, input: toolInput }]
            : [{ type: 'text', text: answer }],
          stop_reason: stopReason,
          stop_sequence: null,
          usage,
        }),
      );
      return;
    }

    state.stats.streamed++;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown): void => {
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    if (fault === 'malformed') {
      state.stats.malformed++;
      response.end('event: content_block_delta\ndata: {"type": broken\n\n');
      return;
    }
    if (toolName) {
      send('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: `toolu_${counter}`, name: toolName, input: {} },
      });
      const json = JSON.stringify(toolInput);
      const half = Math.floor(json.length / 2);
      send('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: json.slice(0, half) },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: json.slice(half) },
      });
    } else {
      send('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
      send('ping', { type: 'ping' });
      const pieces = answer.match(/\S+\s*|\s+/g) ?? [];
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
        send('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: piece },
        });
      }
    }
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    });
    send('message_stop', { type: 'message_stop' });
    response.end();
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
      else response.destroy();
    });
  });
  server.on('connection', (socket) => state.track(socket));
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    stats: state.stats,
    lastRequest: () => last,
    lastHeaders: () => lastHeaders,
    injectFaults: (faults) => state.injectFaults(faults),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        state.destroyAll();
      }),
  };
}

/** The first tool_use id / tool_result tool_use_id outside Anthropic's pattern, as the API names it. */
function invalidToolUseId(body: AnthropicWireRequest): string | undefined {
  for (const [index, message] of (body.messages ?? []).entries()) {
    if (!Array.isArray(message.content)) continue;
    for (const [position, block] of (message.content as Array<Record<string, unknown>>).entries()) {
      const id =
        block.type === 'tool_use' ? block.id : block.type === 'tool_result' ? block.tool_use_id : undefined;
      if (typeof id === 'string' && !/^[a-zA-Z0-9_-]+$/.test(id))
        return `messages.${index}.content.${position}.${block.type === 'tool_use' ? 'tool_use.id' : 'tool_result.tool_use_id'}`;
    }
  }
  return undefined;
}
