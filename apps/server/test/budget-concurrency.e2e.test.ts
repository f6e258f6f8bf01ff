import { type FakeOpenAiServer, startFakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import {
  createThrowawayPostgresDatabase,
  describeWithRedisAndPostgres,
  redisUrl,
  type ThrowawayDatabase,
  uniqueName,
} from '@ai-scale/testkit';
import { Client } from 'pg';
import { type ServerFleet, startServerFleet } from './support/server-fleet';

const ADMIN_TOKEN = 'admin-token-for-budget-tests';
/** gpt-4.1-mini list prices, USD per million tokens (packages/llm-gateway/src/pricing/prices.json). */
const PRICE = { input: 0.4, output: 1.6 };
const MAX_TOKENS = 400;
/**
 * An upper bound of what the gateway reserves per call: its short prompt counted (< 60 tokens with
 * the 1.1 margin) and the full 400-token output reserve. A budget of N of these covers at least N calls.
 */
const WORST_CASE_USD = (60 * PRICE.input + MAX_TOKENS * PRICE.output) / 1_000_000;

/**
 * Issue 15's concurrency guarantee end to end: two ROLE=api processes on the same Redis (budget
 * reservations) and PostgreSQL (the ledger), 200 requests at once split between them, for budgets
 * covering 1, 10 and 100 calls' worst case. The spend recorded in the ledger never passes the budget,
 * every refused call is a 402 before any token is bought, and every admitted call is in the ledger.
 * (With the old check-then-spend, all 200 passed the check at once: 200 × ~0.0004 USD against 0.00066.)
 */
describeWithRedisAndPostgres('budgets hold across two API processes under 200 concurrent requests', () => {
  let fleet: ServerFleet;
  let database: ThrowawayDatabase;
  let upstream: FakeOpenAiServer;
  let sql: Client;

  beforeAll(async () => {
    [database, upstream] = await Promise.all([
      createThrowawayPostgresDatabase('budget'),
      // ~250 output tokens per answer, 300 ms per call: every call of a burst is in flight at once.
      startFakeOpenAiServer({
        latency: { kind: 'fixed', ms: 300 },
        respond: () => 'word '.repeat(200).trim(),
      }),
    ]);
    fleet = await startServerFleet(
      'budget',
      {
        ADMIN_TOKEN,
        CACHE_DRIVER: 'redis',
        REDIS_URL: redisUrl(),
        CACHE_PREFIX: uniqueName('budget-c'),
        QUEUE_PREFIX: uniqueName('budget-q'),
        DATABASE_URL: database.url,
        LLM_PROVIDERS: 'openai-compatible:gpt-4.1-mini',
        OPENAI_BASE_URL: upstream.url,
        OPENAI_API_KEY: 'sk-upstream',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
      { apis: 2, workers: 0 },
    );
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 180_000);

  afterAll(async () => {
    await sql?.end();
    await fleet?.stop();
    await Promise.all([database?.drop(), upstream?.close()]);
  }, 60_000);

  it.each([1, 10, 100])(
    'a budget covering %i calls: spend never passes it, refusals are 402, the ledger has every admitted call',
    async (covered) => {
      const [first, second] = fleet.apis;
      const budgetUsd = WORST_CASE_USD * covered;
      const created = await first!.request('POST', '/v1/admin/tenants', {
        token: ADMIN_TOKEN,
        body: { name: `budget-${covered}`, monthlyBudgetUsd: budgetUsd },
      });
      expect(created.status).toBe(201);
      const { apiKey, tenantId } = created.body as { apiKey: string; tenantId: string };
      // Both processes have authenticated the key before the burst, so its 200 calls overlap on both.
      for (const api of fleet.apis) {
        expect((await api.request('GET', '/v1/openai/models', { token: apiKey })).status).toBe(200);
      }
      const callsBefore = upstream.stats.chatCompletions;

      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          (index % 2 === 0 ? first! : second!).request('POST', '/v1/openai/chat/completions', {
            token: apiKey,
            body: {
              model: 'gpt-4.1-mini',
              // Distinct questions: no response-cache hit stands in for a paid call.
              messages: [{ role: 'user', content: `Question ${index} about refunds for tenant ${covered}?` }],
              max_tokens: MAX_TOKENS,
            },
          }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      const admitted = statuses.filter((status) => status === 200).length;
      expect(statuses.filter((status) => status !== 200 && status !== 402)).toEqual([]);
      expect(admitted).toBeGreaterThanOrEqual(covered);
      // Refused before any token was bought: the provider saw only the admitted calls.
      expect(upstream.stats.chatCompletions - callsBefore).toBe(admitted);

      const { rows } = await sql.query<{ calls: string; spent: number | null }>(
        'SELECT COUNT(*) AS calls, SUM(cost_usd) AS spent FROM usage_records WHERE tenant_id = $1',
        [tenantId],
      );
      expect(Number(rows[0]!.calls)).toBe(admitted);
      const spent = Number(rows[0]!.spent ?? 0);
      expect(spent).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(budgetUsd);
      const refused = responses.find((response) => response.status === 402);
      expect(refused?.body.error.code).toBe('insufficient_quota');
    },
    120_000,
  );

  it('holds an API key’s own monthly budget across both processes while another key of the tenant still works', async () => {
    const [first, second] = fleet.apis;
    const covered = 5;
    const keyBudgetUsd = WORST_CASE_USD * covered;
    const created = await first!.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'key-budget' },
    });
    const { apiKey: freeKey, tenantId } = created.body as { apiKey: string; tenantId: string };
    const rotated = await second!.request('POST', `/v1/admin/tenants/${tenantId}/keys`, {
      token: ADMIN_TOKEN,
      body: { monthlyBudgetUsd: keyBudgetUsd },
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.monthlyBudgetUsd).toBe(keyBudgetUsd);
    const { apiKey: limitedKey, keyId } = rotated.body as { apiKey: string; keyId: string };
    for (const api of fleet.apis) {
      expect((await api.request('GET', '/v1/openai/models', { token: limitedKey })).status).toBe(200);
    }
    const ask = (token: string, index: number, path: 'openai' | 'chat') =>
      (index % 2 === 0 ? first! : second!).request(
        'POST',
        path === 'openai' ? '/v1/openai/chat/completions' : '/v1/chat',
        {
          token,
          body:
            path === 'openai'
              ? {
                  model: 'gpt-4.1-mini',
                  messages: [{ role: 'user', content: `Key budget question ${index}?` }],
                  max_tokens: MAX_TOKENS,
                }
              : // Streamed: this fleet has no worker to answer queued (sync/async) chats.
                { message: `Key budget chat question ${index}?`, mode: 'stream' },
        },
      );
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) => ask(limitedKey, index, 'openai')),
    );
    const statuses = responses.map((response) => response.status);
    const admitted = statuses.filter((status) => status === 200).length;
    expect(statuses.filter((status) => status !== 200 && status !== 402)).toEqual([]);
    expect(admitted).toBeGreaterThanOrEqual(covered);
    expect(admitted).toBeLessThan(100);
    // Only the limited key has been used so far: the tenant's spend is that key's.
    const { rows } = await sql.query<{ spent: number | null }>(
      'SELECT SUM(cost_usd) AS spent FROM usage_records WHERE tenant_id = $1',
      [tenantId],
    );
    expect(Number(rows[0]!.spent ?? 0)).toBeLessThanOrEqual(keyBudgetUsd);
    expect(responses.find((response) => response.status === 402)?.body.error.code).toBe('insufficient_quota');
    // The server's own chat path refuses the key too, before any model call (an SSE error event).
    const callsBeforeChat = upstream.stats.chatCompletions;
    const refusedChat = await ask(limitedKey, 1, 'chat');
    expect(refusedChat.text).toContain('BUDGET_EXCEEDED');
    expect(refusedChat.text).not.toContain('event: done');
    expect(upstream.stats.chatCompletions).toBe(callsBeforeChat);
    // The tenant's other key has no budget of its own: it keeps working on both paths.
    expect((await ask(freeKey, 0, 'openai')).status).toBe(200);
    const freeChat = await ask(freeKey, 1, 'chat');
    expect(freeChat.text).toContain('event: done');
    expect(freeChat.text).not.toContain('BUDGET_EXCEEDED');

    const described = await first!.request('GET', `/v1/admin/tenants/${tenantId}`, { token: ADMIN_TOKEN });
    const keys = described.body.keys as { id: string; monthlyBudgetUsd: number | null }[];
    expect(keys.find((key) => key.id === keyId)?.monthlyBudgetUsd).toBe(keyBudgetUsd);
    // Raising the key's budget (PATCH on the process that served it) lets it spend again there.
    const patched = await first!.request('PATCH', `/v1/admin/tenants/${tenantId}/keys/${keyId}`, {
      token: ADMIN_TOKEN,
      body: { monthlyBudgetUsd: keyBudgetUsd * 100 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.monthlyBudgetUsd).toBe(keyBudgetUsd * 100);
    expect((await ask(limitedKey, 0, 'openai')).status).toBe(200);
    const missing = await first!.request(
      'PATCH',
      `/v1/admin/tenants/${tenantId}/keys/00000000-0000-4000-8000-000000000000`,
      { token: ADMIN_TOKEN, body: { monthlyBudgetUsd: 1 } },
    );
    expect(missing.status).toBe(404);
    const invalid = await first!.request('PATCH', `/v1/admin/tenants/${tenantId}/keys/${keyId}`, {
      token: ADMIN_TOKEN,
      body: { monthlyBudgetUsd: -1 },
    });
    expect(invalid.status).toBe(400);
  }, 120_000);

  it('holds a tenant’s LLM tokens per minute (admin API) across both processes: 429 with Retry-After', async () => {
    const [first, second] = fleet.apis;
    const created = await first!.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'tpm' },
    });
    const { apiKey, tenantId } = created.body as { apiKey: string; tenantId: string };
    // Each call needs its prompt (~20 tokens) + the 400-token output reserve: 2 fit in 1,000 per minute.
    const patched = await second!.request('PATCH', `/v1/admin/tenants/${tenantId}`, {
      token: ADMIN_TOKEN,
      body: { tokensPerMinute: 1_000 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.tokensPerMinute).toBe(1_000);
    // The gateway's tenant lookup caches a row for 5 s: wait it out so both processes see the limit.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const responses = [];
    for (let index = 0; index < 6; index++) {
      responses.push(
        await (index % 2 === 0 ? first! : second!).request('POST', '/v1/openai/chat/completions', {
          token: apiKey,
          body: {
            model: 'gpt-4.1-mini',
            messages: [{ role: 'user', content: `Token limit question ${index}?` }],
            max_tokens: MAX_TOKENS,
          },
        }),
      );
    }
    expect(responses.map((response) => response.status)).toEqual([200, 200, 429, 429, 429, 429]);
    const limited = responses[2]!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe('rate_limit_exceeded');
  }, 60_000);
});
