import { type FakeOpenAiServer, startFakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import { waitFor } from '@ai-scale/testkit';
import OpenAI from 'openai';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-openai-api-tests';

/**
 * The server's OpenAI-compatible API (`/v1/openai`), driven by the real `openai` npm client with
 * only `baseURL` and `apiKey` changed. Upstream, the gateway calls a local server that speaks the
 * OpenAI protocol (no network) with the extractive model as its fallback.
 */
describe('OpenAI-compatible API at /v1/openai, driven by the openai npm client', () => {
  let upstream: FakeOpenAiServer;
  let server: ServerUnderTest;
  let apiKey: string;
  let client: OpenAI;

  const usage = async () => (await server.request('GET', '/v1/usage', { token: apiKey })).body.total;

  beforeAll(async () => {
    // The model answers JSON when asked for a JSON schema: a city, and for "a country" only a city.
    upstream = await startFakeOpenAiServer({
      embeddingDimensions: 64,
      respond: (body) =>
        JSON.stringify(body).includes('"json_schema"')
          ? '{"city": "Paris"}'
          : `Answer from ${body.model} to "${
              [...(body.messages ?? [])].reverse().find((message) => message.role === 'user')?.content ?? ''
            }".`,
    });
    server = await startServer({
      ADMIN_TOKEN,
      VECTOR_STORE: 'memory',
      LLM_PROVIDERS: 'openai-compatible:gpt-4o-mini,extractive',
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream',
    });
    apiKey = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } }))
      .body.apiKey;
    client = new OpenAI({ baseURL: `${server.baseUrl}/v1/openai`, apiKey, maxRetries: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('lists `auto`, the configured chat models and the embedder', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['auto', 'gpt-4o-mini', 'extractive']));
    expect(ids.some((id) => id.startsWith('local'))).toBe(true);
  });

  it('answers a chat completion through the gateway, bills it, and serves the repeat from the cache', async () => {
    const before = await usage();
    const request = {
      model: 'gpt-4o-mini',
      temperature: 0,
      messages: [
        { role: 'system' as const, content: 'Answer briefly.' },
        { role: 'user' as const, content: 'What colour is the sky on a clear day?' },
      ],
    };
    const first = await client.chat.completions.create(request);
    expect(first.object).toBe('chat.completion');
    expect(first.choices[0]?.message.content).toContain('gpt-4o-mini');
    expect(first.choices[0]?.finish_reason).toBe('stop');
    expect(first.usage?.prompt_tokens).toBeGreaterThan(0);
    const info = (first as unknown as { ai_scale: { cost_usd: number; cache: string | null } }).ai_scale;
    expect(info.cache).toBeNull();
    expect(info.cost_usd).toBeGreaterThan(0);
    const sent = JSON.stringify(upstream.lastChatRequest());
    expect(sent).toContain('Answer briefly.');

    const calls = upstream.stats.chatCompletions;
    const second = await client.chat.completions.create(request);
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    expect((second as unknown as { ai_scale: { cache: string } }).ai_scale.cache).toBe('exact');
    expect(upstream.stats.chatCompletions).toBe(calls);

    const after = await usage();
    expect(after.requests).toBe(before.requests + 2);
    expect(after.costUsd).toBeCloseTo(before.costUsd + info.cost_usd, 10);
    expect(after.savedCostUsd).toBeCloseTo(before.savedCostUsd + info.cost_usd, 10);
  });

  it('streams with the SDK helper and with stream_options.include_usage: the same text as a plain call', async () => {
    const messages = [{ role: 'user' as const, content: 'Name three rivers of Europe.' }];
    const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, seed: 1 });

    const helper = client.chat.completions.stream({ model: 'gpt-4o-mini', messages, seed: 2 });
    const final = await helper.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(plain.choices[0]?.message.content);

    const chunks = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      seed: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usageChunk: OpenAI.Completions.CompletionUsage | undefined;
    let finishReason: string | null = null;
    for await (const chunk of chunks) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usageChunk = chunk.usage;
    }
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(finishReason).toBe('stop');
    expect(usageChunk?.completion_tokens).toBe(plain.usage?.completion_tokens);
    expect(usageChunk?.prompt_tokens).toBe(plain.usage?.prompt_tokens);
  });

  it('calls a tool, takes its result back, and answers (plain and streamed)', async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'lookup_order',
          description: 'Looks an order up by id',
          parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
        },
      },
    ];
    const question = { role: 'user' as const, content: 'Where is order 42?' };
    const asked = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [question],
      tools,
      tool_choice: { type: 'function', function: { name: 'lookup_order' } },
    });
    const call = asked.choices[0]?.message.tool_calls?.[0];
    expect(asked.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('lookup_order');
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')).toEqual({
      input: 'Where is order 42?',
    });

    const streamed = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [question],
      tools,
      tool_choice: 'required',
    });
    const streamedCall = (await streamed.finalChatCompletion()).choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === 'function' && streamedCall.function.arguments).toBe(
      call?.type === 'function' && call.function.arguments,
    );

    const answered = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        question,
        { role: 'assistant', content: null, tool_calls: asked.choices[0]!.message.tool_calls! },
        { role: 'tool', tool_call_id: call!.id, content: 'Order 42 left the depot this morning.' },
      ],
      tools,
    });
    expect(answered.choices[0]?.finish_reason).toBe('stop');
    const upstreamMessages = upstream.lastChatRequest()?.messages ?? [];
    expect(upstreamMessages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call!.id });
  });

  it('answers a JSON-schema response_format validated, and refuses one the model cannot meet after a repair', async () => {
    const format = (required: string[]) => ({
      type: 'json_schema' as const,
      json_schema: {
        name: 'city',
        schema: {
          type: 'object',
          properties: { city: { type: 'string' }, country: { type: 'string' } },
          required,
        },
        strict: true,
      },
    });
    const calls = upstream.stats.chatCompletions;
    const answered = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Give me a city.' }],
      response_format: format(['city']),
    });
    expect(JSON.parse(answered.choices[0]?.message.content ?? '')).toEqual({ city: 'Paris' });
    expect(JSON.stringify(upstream.lastChatRequest())).toContain('"json_schema"');
    expect(upstream.stats.chatCompletions).toBe(calls + 1);

    // The model never adds the country: one repair turn, both calls billed, then a typed error.
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Give me a city and its country.' }],
        response_format: format(['city', 'country']),
      }),
    ).rejects.toMatchObject({ status: 502, code: 'structured_output_invalid' });
    expect(upstream.stats.chatCompletions).toBe(calls + 3);
  });

  it("embeds with the server's embedder, in float and in the SDK's default base64", async () => {
    const texts = ['ospreys fish in rivers', 'kestrels hover over fields'];
    const viaBase64 = await client.embeddings.create({ model: 'auto', input: texts });
    const viaFloat = await client.embeddings.create({
      model: 'auto',
      input: texts,
      encoding_format: 'float',
    });
    expect(viaBase64.data).toHaveLength(2);
    expect(viaBase64.data[0]?.embedding.length).toBeGreaterThan(0);
    for (const [index, item] of viaFloat.data.entries()) {
      const decoded = viaBase64.data[index]!.embedding;
      expect(decoded.length).toBe(item.embedding.length);
      for (const [position, value] of item.embedding.entries())
        expect(decoded[position]).toBeCloseTo(value, 5);
    }
    expect(viaFloat.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('grounds the answer in the tenant documents with ai_scale.rag and returns citations', async () => {
    const created = await server.request('POST', '/v1/documents', {
      token: apiKey,
      body: { title: 'Kestrel', text: 'Kestrel is the name of the search cluster in region eu-west.' },
    });
    await waitFor(
      async () =>
        (await server.request('GET', `/v1/jobs/${created.body.jobId}`, { token: apiKey })).body.state ===
        'completed',
      { timeoutMs: 15_000, message: 'ingestion' },
    );
    const body = {
      model: 'extractive',
      messages: [{ role: 'user', content: 'Which region is the Kestrel search cluster in?' }],
      ai_scale: { rag: { topK: 3 } },
    };
    const answer = (await client.chat.completions.create(
      body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
    )) as unknown as OpenAI.Chat.Completions.ChatCompletion & {
      ai_scale: { citations: Array<{ document_id: string }> };
    };
    expect(answer.choices[0]?.message.content).toContain('eu-west');
    expect(answer.ai_scale.citations.map((citation) => citation.document_id)).toContain(
      created.body.documentId,
    );
  });

  it("refuses in OpenAI's error shape, so the SDK raises its own typed errors", async () => {
    const wrongKey = new OpenAI({
      baseURL: `${server.baseUrl}/v1/openai`,
      apiKey: 'sk-wrong',
      maxRetries: 0,
    });
    await expect(wrongKey.models.list()).rejects.toMatchObject({
      status: 401,
      type: 'authentication_error',
      code: 'invalid_api_key',
    });
    await expect(wrongKey.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    await expect(
      client.chat.completions.create({ model: 'gpt-9-ultra', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });

    const invalid = client.chat.completions.create({ model: 'auto', messages: [] });
    await expect(invalid).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(invalid).rejects.toMatchObject({ type: 'invalid_request_error', param: 'messages' });

    await expect(
      client.chat.completions.create({ model: 'auto', n: 2, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 400 });

    const broke = await server.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'broke', monthlyBudgetUsd: 0 },
    });
    const brokeClient = new OpenAI({
      baseURL: `${server.baseUrl}/v1/openai`,
      apiKey: broke.body.apiKey,
      maxRetries: 0,
    });
    const calls = upstream.stats.chatCompletions;
    await expect(
      brokeClient.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 402, type: 'insufficient_quota' });
    expect(upstream.stats.chatCompletions).toBe(calls);
  });

  it('answers over the rate limit with 429, Retry-After and a RateLimitError', async () => {
    const limited = await server.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'limited', rateLimitPerMinute: 1 },
    });
    const limitedClient = new OpenAI({
      baseURL: `${server.baseUrl}/v1/openai`,
      apiKey: limited.body.apiKey,
      maxRetries: 0,
    });
    await limitedClient.models.list();
    const refused = await limitedClient.models.list().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(
      Number((refused as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')),
    ).toBeGreaterThan(0);
  });
});
