import { type ChildProcess } from 'node:child_process';
import { describeWithRedisAndPostgres, redisUrl, waitFor } from '@ai-scale/testkit';
import { Redis } from 'ioredis';
import { type ApiAndWorker, startApiAndWorker } from './support/api-and-worker';
import { expectRateLimitedAfterTwo, type ServerUnderTest } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-production-tests';

/**
 * Production shape: BullMQ and the answer cache on the real Redis, PostgreSQL (a throwaway
 * database), ROLE=api in this process and a SEPARATE worker process (ROLE=worker, the built dist).
 */
describeWithRedisAndPostgres(
  'production configuration: api here, worker in another process (Redis + PostgreSQL)',
  () => {
    let pair: ApiAndWorker;
    let worker: ChildProcess;
    let server: ServerUnderTest;
    let keyA: string;
    let keyB: string;
    let cachePrefix: string;

    beforeAll(async () => {
      pair = await startApiAndWorker('server', { ADMIN_TOKEN });
      ({ server, worker } = pair);
      cachePrefix = pair.environment.CACHE_PREFIX ?? '';
      keyA = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } }))
        .body.apiKey;
      keyB = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'B' } }))
        .body.apiKey;
    }, 60_000);

    afterAll(async () => {
      await pair?.stop();
    }, 30_000);

    async function waitForJob(token: string, jobId: string) {
      let body: { state: string; result: unknown } | undefined;
      await waitFor(
        async () => {
          body = (await server.request('GET', `/v1/jobs/${jobId}`, { token })).body;
          return body?.state === 'completed' || body?.state === 'failed';
        },
        { timeoutMs: 20_000, message: `job ${jobId}` },
      );
      return body!;
    }

    it('reports every dependency ready by name', async () => {
      const ready = await server.request('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(Object.keys(ready.body.checks).sort()).toEqual(['database', 'queue', 'redis', 'vector-store']);
    });

    it('serves Bull Board at /admin/queues to the admin only', async () => {
      expect((await server.request('GET', '/admin/queues')).status).toBe(401);
      expect((await server.request('GET', '/admin/queues', { token: keyA })).status).toBe(401);
      const page = await server.request('GET', '/admin/queues', { token: ADMIN_TOKEN });
      expect(page.status).toBe(200);
      expect(page.text.toLowerCase()).toContain('<html');
      const basic = Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64');
      const api = await server.request('GET', '/admin/queues/api/queues', {
        headers: { authorization: `Basic ${basic}` },
      });
      expect(api.status).toBe(200);
      expect(JSON.stringify(api.body)).toContain('ai-scale');
    });

    it('ingests in the worker, answers through the worker, isolates documents, jobs, cache and usage by tenant', async () => {
      const created = await server.request('POST', '/v1/documents', {
        token: keyA,
        body: {
          title: 'Osprey',
          text: 'The Osprey service stores invoices for seven years in the archive bucket.',
        },
      });
      expect(created.status).toBe(202);
      expect((await waitForJob(keyA, created.body.jobId)).state).toBe('completed');
      expect(
        (await server.request('GET', `/v1/documents/${created.body.documentId}`, { token: keyA })).body
          .status,
      ).toBe('ready');
      expect(
        (await server.request('GET', `/v1/documents/${created.body.documentId}`, { token: keyB })).status,
      ).toBe(404);
      expect((await server.request('GET', `/v1/jobs/${created.body.jobId}`, { token: keyB })).status).toBe(
        404,
      );

      const question = { message: 'How long does Osprey keep invoices?' };
      const first = await server.request('POST', '/v1/chat', { token: keyA, body: question });
      expect(first.status).toBe(200);
      expect(first.body.answer).toContain('seven years');
      expect(first.body.citations[0]?.documentId).toBe(created.body.documentId);
      const cached = await server.request('POST', '/v1/chat', { token: keyA, body: question });
      expect(cached.body.cache).toBe('exact');
      const otherTenant = await server.request('POST', '/v1/chat', { token: keyB, body: question });
      expect(otherTenant.body.cache).toBeNull();
      expect(otherTenant.body.answer).not.toContain('seven years');

      // The worker indexed it; the api (another process) searches it, and tenant B never sees it.
      for (const mode of ['vector', 'keyword', 'hybrid']) {
        const search = await server.request('POST', '/v1/search', {
          token: keyA,
          body: { query: 'How long are invoices kept?', mode },
        });
        expect(search.status).toBe(200);
        expect(search.body.results[0]?.documentId).toBe(created.body.documentId);
        const searchB = await server.request('POST', '/v1/search', {
          token: keyB,
          body: { query: 'How long are invoices kept?', mode },
        });
        expect(searchB.body.results).toEqual([]);
      }

      const usageA = await server.request('GET', '/v1/usage', { token: keyA });
      const usageB = await server.request('GET', '/v1/usage', { token: keyB });
      expect(usageA.body.total.requests).toBe(2);
      expect(usageB.body.total.requests).toBe(1);

      // Delete in the api: the chunks leave the shared index, the cached answer (Redis) is not served.
      expect(
        (await server.request('DELETE', `/v1/documents/${created.body.documentId}`, { token: keyA })).status,
      ).toBe(200);
      const gone = await server.request('POST', '/v1/search', {
        token: keyA,
        body: { query: 'How long are invoices kept?', mode: 'hybrid' },
      });
      expect(gone.body.results).toEqual([]);
      const afterDelete = await server.request('POST', '/v1/chat', { token: keyA, body: question });
      expect(afterDelete.status).toBe(200);
      expect(afterDelete.body.cache).toBeNull();
      expect(afterDelete.body.answer).not.toContain('seven years');
    }, 60_000);

    it('answers ids that cannot exist with 404 on PostgreSQL (uuid columns), never 500/503', async () => {
      for (const url of ['/v1/documents/not-a-uuid', '/v1/agents/runs/not-a-uuid', '/v1/jobs/not-a-job']) {
        expect((await server.request('GET', url, { token: keyA })).status).toBe(404);
      }
      expect((await server.request('GET', '/v1/admin/tenants/nope', { token: ADMIN_TOKEN })).status).toBe(
        404,
      );
      const chat = await server.request('POST', '/v1/chat', {
        token: keyA,
        body: { message: 'hello', conversationId: 'not-a-uuid' },
      });
      expect(chat.status).toBe(404);
    });

    it('rate-limits per key in Redis: 429 with Retry-After', async () => {
      await expectRateLimitedAfterTwo(server, ADMIN_TOKEN);
      const redis = new Redis(redisUrl());
      try {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await redis.scan(
            cursor,
            'MATCH',
            `${cachePrefix}:ratelimit:*`,
            'COUNT',
            1000,
          );
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        expect(keys.length).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }
    });

    it('the worker shuts down gracefully on SIGTERM (no forced exit)', async () => {
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        worker.once('exit', (code, signal) => resolve({ code, signal })),
      );
      worker.kill('SIGTERM');
      // Nest closes the app (the queue worker drains), then re-raises the signal; a hang would end
      // in the SHUTDOWN_TIMEOUT_MS forced exit with code 1.
      expect([
        { code: 0, signal: null },
        { code: null, signal: 'SIGTERM' },
      ]).toContainEqual(await exited);
    }, 20_000);
  },
);
