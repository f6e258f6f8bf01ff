import { waitFor } from '@ai-scale/testkit';
import { expectRateLimitedAfterTwo, type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/**
 * The product API end to end over real HTTP, embedded configuration (memory queue and cache, the
 * extractive LLM): every endpoint, the bad inputs of issue 9 and tenant isolation.
 */
describe('product API over HTTP (embedded configuration)', () => {
  let server: ServerUnderTest;
  let keyA: string;
  let keyB: string;
  let tenantA: string;
  let documentId: string;

  async function waitForJob(token: string, jobId: string) {
    let body: { state: string; result: unknown; error: unknown } | undefined;
    await waitFor(
      async () => {
        const response = await server.request('GET', `/v1/jobs/${jobId}`, { token });
        body = response.body;
        return body?.state === 'completed' || body?.state === 'failed';
      },
      { message: `job ${jobId}` },
    );
    return body!;
  }

  beforeAll(async () => {
    server = await startServer({
      ADMIN_TOKEN,
      VECTOR_STORE: 'memory',
      RATE_LIMIT_PER_MINUTE: '1000',
      MAX_UPLOAD_BYTES: '65536',
    });
    const a = await server.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'tenant A' },
    });
    const b = await server.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'tenant B' },
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    keyA = a.body.apiKey;
    keyB = b.body.apiKey;
    tenantA = a.body.tenantId;
  });

  afterAll(async () => {
    await server.close();
  });

  it('refuses a missing or wrong API key with 401 in the error shape', async () => {
    const missing = await server.request('POST', '/v1/search', { body: { query: 'x' } });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    const wrong = await server.request('GET', '/v1/usage', { token: 'ais_not-a-real-key' });
    expect(wrong.status).toBe(401);
    const adminWithTenantKey = await server.request('POST', '/v1/admin/tenants', {
      token: keyA,
      body: { name: 'x' },
    });
    expect(adminWithTenantKey.status).toBe(401);
  });

  it('ingests a JSON document in the background: 202 {documentId, jobId}, then ready', async () => {
    const created = await server.request('POST', '/v1/documents', {
      token: keyA,
      body: {
        title: 'Falcon handbook',
        text: '# Falcon\n\nThe Falcon project ships every Tuesday. Its on-call rotation changes weekly and the pager number is 5551234.',
        metadata: { team: 'platform' },
      },
    });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({ documentId: expect.any(String), jobId: expect.any(String) });
    documentId = created.body.documentId;
    const job = await waitForJob(keyA, created.body.jobId);
    expect(job.state).toBe('completed');
    const document = await server.request('GET', `/v1/documents/${documentId}`, { token: keyA });
    expect(document.status).toBe(200);
    expect(document.body).toMatchObject({
      id: documentId,
      status: 'ready',
      title: 'Falcon handbook',
      metadata: { team: 'platform' },
    });
    expect(document.body.chunkCount).toBeGreaterThan(0);
  });

  it('accepts a multipart file upload', async () => {
    const form = new FormData();
    form.append(
      'file',
      new Blob(['Heron is the codename of the billing rewrite.'], { type: 'text/plain' }),
      'heron.txt',
    );
    form.append('metadata', JSON.stringify({ team: 'billing' }));
    const created = await server.request('POST', '/v1/documents', { token: keyA, rawBody: form });
    expect(created.status).toBe(202);
    expect((await waitForJob(keyA, created.body.jobId)).state).toBe('completed');
  });

  it('lists only the caller tenant documents', async () => {
    const mine = await server.request('GET', '/v1/documents?limit=10', { token: keyA });
    expect(mine.status).toBe(200);
    expect(mine.body.documents.map((document: { id: string }) => document.id)).toContain(documentId);
    const theirs = await server.request('GET', '/v1/documents', { token: keyB });
    expect(theirs.body.documents).toEqual([]);
    expect((await server.request('GET', '/v1/documents?limit=1000', { token: keyA })).status).toBe(400);
  });

  it('admin reads a tenant and sets its limits', async () => {
    const patched = await server.request('PATCH', `/v1/admin/tenants/${tenantA}`, {
      token: ADMIN_TOKEN,
      body: { monthlyBudgetUsd: 25, rateLimitPerMinute: 500 },
    });
    expect(patched.status).toBe(200);
    const tenant = await server.request('GET', `/v1/admin/tenants/${tenantA}`, { token: ADMIN_TOKEN });
    expect(tenant.body).toMatchObject({ id: tenantA, monthlyBudgetUsd: 25, rateLimitPerMinute: 500 });
    expect(tenant.body.keys[0]).toEqual(expect.objectContaining({ prefix: expect.any(String) }));
    expect(JSON.stringify(tenant.body)).not.toContain(keyA);
    expect((await server.request('GET', '/v1/admin/tenants/unknown', { token: ADMIN_TOKEN })).status).toBe(
      404,
    );
    expect(
      (
        await server.request('PATCH', `/v1/admin/tenants/${tenantA}`, {
          token: ADMIN_TOKEN,
          body: { monthlyBudgetUsd: -1 },
        })
      ).status,
    ).toBe(400);
  });

  it('searches only the caller tenant (vector, keyword, hybrid)', async () => {
    for (const mode of ['vector', 'keyword', 'hybrid']) {
      const response = await server.request('POST', '/v1/search', {
        token: keyA,
        body: { query: 'When does Falcon ship?', topK: 3, mode },
      });
      expect(response.status).toBe(200);
      expect(response.body.results[0]).toMatchObject({
        documentId,
        text: expect.stringContaining('Tuesday'),
      });
      expect(response.body.timings).toBeDefined();
    }
    const other = await server.request('POST', '/v1/search', {
      token: keyB,
      body: { query: 'When does Falcon ship?', mode: 'hybrid' },
    });
    expect(other.status).toBe(200);
    expect(other.body.results).toEqual([]);
  });

  it('filters search by metadata, reranks on request, and refuses a malformed filter with 400', async () => {
    const filtered = await server.request('POST', '/v1/search', {
      token: keyA,
      body: { query: 'codename', mode: 'hybrid', filter: { field: 'team', op: 'eq', value: 'billing' } },
    });
    expect(filtered.status).toBe(200);
    expect(filtered.body.results.length).toBeGreaterThan(0);
    expect(
      filtered.body.results.every(
        (result: { metadata: { team?: string } }) => result.metadata.team === 'billing',
      ),
    ).toBe(true);
    const reranked = await server.request('POST', '/v1/search', {
      token: keyA,
      body: { query: 'When does Falcon ship?', rerank: true },
    });
    expect(reranked.status).toBe(200);
    const malformed = await server.request('POST', '/v1/search', {
      token: keyA,
      body: { query: 'x', filter: { field: 'team', op: 'like', value: 'b%' } },
    });
    expect(malformed.status).toBe(400);
  });

  it("hides another tenant's document and job as 404", async () => {
    const document = await server.request('GET', `/v1/documents/${documentId}`, { token: keyB });
    expect(document.status).toBe(404);
    expect(document.body.error.code).toBe('NOT_FOUND');
    expect((await server.request('DELETE', `/v1/documents/${documentId}`, { token: keyB })).status).toBe(404);
    const ownDocument = await server.request('GET', `/v1/documents/${documentId}`, { token: keyA });
    expect((await server.request('GET', `/v1/jobs/${ownDocument.body.jobId}`, { token: keyB })).status).toBe(
      404,
    );
    expect(
      (await server.request('GET', `/v1/jobs/${ownDocument.body.jobId}/events`, { token: keyB })).status,
    ).toBe(404);
  });

  let conversationId: string;

  it('chat sync answers with citations; the same question is an exact hit, a paraphrase a semantic hit; never for another tenant', async () => {
    const first = await server.request('POST', '/v1/chat', {
      token: keyA,
      body: { message: 'When does the Falcon project ship?' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      answer: expect.stringContaining('Tuesday'),
      citations: expect.arrayContaining([{ documentId, chunkId: expect.any(String) }]),
      usage: {
        promptTokens: expect.any(Number),
        completionTokens: expect.any(Number),
        costUsd: expect.any(Number),
      },
      cache: null,
      conversationId: expect.any(String),
    });
    conversationId = first.body.conversationId;
    const again = await server.request('POST', '/v1/chat', {
      token: keyA,
      body: { message: 'When does the Falcon project ship?' },
    });
    expect(again.status).toBe(200);
    expect(again.body.cache).toBe('exact');
    expect(again.body.answer).toBe(first.body.answer);
    const paraphrase = await server.request('POST', '/v1/chat', {
      token: keyA,
      body: { message: 'When will the Falcon project ship?' },
    });
    expect(paraphrase.body.cache).toBe('semantic');
    expect(paraphrase.body.answer).toBe(first.body.answer);
    const otherTenant = await server.request('POST', '/v1/chat', {
      token: keyB,
      body: { message: 'When does the Falcon project ship?' },
    });
    expect(otherTenant.status).toBe(200);
    expect(otherTenant.body.cache).toBeNull();
    expect(otherTenant.body.answer).not.toContain('Tuesday');
    // B's paraphrase may only ever hit B's own entry (the "cannot answer" just stored), never A's.
    const paraphraseB = await server.request('POST', '/v1/chat', {
      token: keyB,
      body: { message: 'When will the Falcon project ship?' },
    });
    expect(paraphraseB.body.answer).not.toContain('Tuesday');
  });

  it('continues a conversation, and refuses another tenant’s conversation', async () => {
    const next = await server.request('POST', '/v1/chat', {
      token: keyA,
      body: { message: 'What is the pager number?', conversationId },
    });
    expect(next.status).toBe(200);
    expect(next.body.conversationId).toBe(conversationId);
    const stolen = await server.request('POST', '/v1/chat', {
      token: keyB,
      body: { message: 'hi', conversationId },
    });
    expect(stolen.status).toBe(404);
  });

  it('chat async returns 202 {jobId}; the job result is the answer; events stream as SSE', async () => {
    const queued = await server.request('POST', '/v1/chat', {
      token: keyA,
      body: { message: 'Who is on call for Falcon?', mode: 'async' },
    });
    expect(queued.status).toBe(202);
    expect(queued.body).toEqual({ jobId: expect.any(String) });
    const job = await waitForJob(keyA, queued.body.jobId);
    expect(job).toMatchObject({
      state: 'completed',
      result: {
        answer: expect.any(String),
        citations: expect.any(Array),
        conversationId: expect.any(String),
      },
    });
    expect((await server.request('GET', `/v1/jobs/${queued.body.jobId}`, { token: keyB })).status).toBe(404);
    const events = await server.request('GET', `/v1/jobs/${queued.body.jobId}/events`, { token: keyA });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    expect(events.text).toContain('event: snapshot');
    expect(events.text).toContain('"state":"completed"');
  });

  it('chat stream sends tokens then the answer as SSE', async () => {
    const response = await server.request('POST', '/v1/chat', {
      token: keyA,
      body: { message: 'What is Heron?', mode: 'stream' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.text).toContain('event: token');
    const done = /event: done\ndata: (.*)\n/.exec(response.text);
    expect(done).not.toBeNull();
    expect(JSON.parse(done![1]!)).toMatchObject({
      answer: expect.any(String),
      conversationId: expect.any(String),
    });
  });

  it('reports usage by day and model for the caller only', async () => {
    const usage = await server.request('GET', '/v1/usage', { token: keyA });
    expect(usage.status).toBe(200);
    expect(usage.body.tenantId).toBe(tenantA);
    expect(usage.body.total.requests).toBeGreaterThan(0);
    expect(usage.body.byDay.length).toBeGreaterThan(0);
    expect(usage.body.byModel.length).toBeGreaterThan(0);
    expect(usage.body.total.savedTokens).toBeGreaterThan(0);
    const other = await server.request('GET', '/v1/usage', { token: keyB });
    expect(other.body.total.requests).toBeLessThan(usage.body.total.requests);
  });

  it('serves /v1/stats for the live panel', async () => {
    const stats = await server.request('GET', '/v1/stats', { token: keyA });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      latency: expect.any(Array),
      queue: { depth: expect.any(Number) },
      cache: { hitRate: expect.any(Number) },
    });
    expect(stats.body.latency[0]).toMatchObject({ p50Ms: expect.any(Number), p99Ms: expect.any(Number) });
    // Tenant A had an exact and a semantic hit among its answers so far.
    expect(stats.body.cache.hits).toBeGreaterThanOrEqual(2);
    expect(stats.body.cache.hitRate).toBeGreaterThan(0);
    expect(stats.body.cache.hitRate).toBeLessThan(1);
    expect(stats.body.usage[0]).toMatchObject({ day: expect.any(String), tokens: expect.any(Number) });
    const statsB = await server.request('GET', '/v1/stats', { token: keyB });
    expect(statsB.body.cache.hits).toBeLessThan(stats.body.cache.hits);
  });

  it('deleting a document removes its chunks and stops serving answers that cited it', async () => {
    const deleted = await server.request('DELETE', `/v1/documents/${documentId}`, { token: keyA });
    expect(deleted.status).toBe(200);
    expect((await server.request('GET', `/v1/documents/${documentId}`, { token: keyA })).status).toBe(404);
    const search = await server.request('POST', '/v1/search', {
      token: keyA,
      body: { query: 'Falcon Tuesday', mode: 'hybrid' },
    });
    expect(search.body.results.map((result: { documentId: string }) => result.documentId)).not.toContain(
      documentId,
    );
    const chat = await server.request('POST', '/v1/chat', {
      token: keyA,
      body: { message: 'When does the Falcon project ship?' },
    });
    expect(chat.status).toBe(200);
    expect(chat.body.cache).toBeNull();
    expect(chat.body.citations.map((citation: { documentId: string }) => citation.documentId)).not.toContain(
      documentId,
    );
  });

  it('runs the research agent in the background, scoped to the tenant', async () => {
    const started = await server.request('POST', '/v1/agents/runs', {
      token: keyA,
      body: { agent: 'research', input: { question: 'What is Heron?' } },
    });
    expect(started.status).toBe(202);
    const runId = started.body.runId;
    let run: { status: string; output: unknown; steps: unknown[] } | undefined;
    await waitFor(
      async () => {
        run = (await server.request('GET', `/v1/agents/runs/${runId}`, { token: keyA })).body;
        return run?.status === 'succeeded' || run?.status === 'failed';
      },
      { message: `agent run ${runId}` },
    );
    expect(run).toMatchObject({ status: 'succeeded', steps: expect.any(Array) });
    expect(JSON.stringify(run!.output)).toContain('Heron');
    expect((await server.request('GET', `/v1/agents/runs/${runId}`, { token: keyB })).status).toBe(404);
    expect(
      (await server.request('POST', `/v1/agents/runs/${runId}/resume`, { token: keyB, body: { input: 'x' } }))
        .status,
    ).toBe(404);
    const notPaused = await server.request('POST', `/v1/agents/runs/${runId}/resume`, {
      token: keyA,
      body: { input: 'x' },
    });
    expect(notPaused.status).toBe(409);
    const unknown = await server.request('POST', '/v1/agents/runs', {
      token: keyA,
      body: { agent: 'nope', input: {} },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('UNKNOWN_AGENT');
  });

  describe('bad input and hostile callers', () => {
    it('400 for malformed JSON', async () => {
      const response = await server.request('POST', '/v1/search', {
        token: keyA,
        rawBody: '{"query": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    });

    it('400 naming the field for a schema violation', async () => {
      const response = await server.request('POST', '/v1/search', {
        token: keyA,
        body: { query: 'x', topK: 'ten' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('INVALID_REQUEST');
      expect(response.body.error.message).toContain('topK');
      const chat = await server.request('POST', '/v1/chat', {
        token: keyA,
        body: { message: 'x', mode: 'telepathy' },
      });
      expect(chat.status).toBe(400);
      expect(chat.body.error.message).toContain('mode');
      const document = await server.request('POST', '/v1/documents', {
        token: keyA,
        body: { title: 'no text' },
      });
      expect(document.status).toBe(400);
      expect(document.body.error.message).toContain('text');
    });

    it('413 for a body over the limit', async () => {
      const response = await server.request('POST', '/v1/documents', {
        token: keyA,
        body: { text: 'x'.repeat(70_000) },
      });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      const form = new FormData();
      form.append('file', new Blob(['y'.repeat(70_000)], { type: 'text/plain' }), 'big.txt');
      const upload = await server.request('POST', '/v1/documents', { token: keyA, rawBody: form });
      expect(upload.status).toBe(413);
    });

    it('404 for an unknown id, never 500', async () => {
      expect((await server.request('GET', '/v1/jobs/does-not-exist', { token: keyA })).status).toBe(404);
      expect((await server.request('GET', '/v1/documents/%00', { token: keyA })).status).toBeLessThan(500);
    });

    it('402 when the tenant is over its budget', async () => {
      const limited = await server.request('POST', '/v1/admin/tenants', {
        token: ADMIN_TOKEN,
        body: { name: 'broke', monthlyBudgetUsd: 0 },
      });
      const response = await server.request('POST', '/v1/chat', {
        token: limited.body.apiKey,
        body: { message: 'hello?' },
      });
      expect(response.status).toBe(402);
      expect(response.body.error.code).toBe('BUDGET_EXCEEDED');
      const run = await server.request('POST', '/v1/agents/runs', {
        token: limited.body.apiKey,
        body: { agent: 'research', input: { question: 'hello?' } },
      });
      expect(run.status).toBe(402);
    });

    it('429 with Retry-After over the per-key rate limit', async () => {
      await expectRateLimitedAfterTwo(server, ADMIN_TOKEN);
    });

    it('rotates and revokes keys', async () => {
      const rotated = await server.request('POST', `/v1/admin/tenants/${tenantA}/keys`, {
        token: ADMIN_TOKEN,
        body: { revokeExisting: false },
      });
      expect(rotated.status).toBe(201);
      expect((await server.request('GET', '/v1/usage', { token: rotated.body.apiKey })).status).toBe(200);
      const revoked = await server.request(
        'DELETE',
        `/v1/admin/tenants/${tenantA}/keys/${rotated.body.keyId}`,
        { token: ADMIN_TOKEN },
      );
      expect(revoked.status).toBe(200);
      expect((await server.request('GET', '/v1/usage', { token: rotated.body.apiKey })).status).toBe(401);
      expect((await server.request('GET', '/v1/usage', { token: keyA })).status).toBe(200);
    });
  });
});
