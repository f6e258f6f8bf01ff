import { type FakeOpenAiServer, startFakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import {
  createThrowawayPostgresDatabase,
  describeWithRedisAndPostgres,
  type RedisCluster,
  redisClusterAvailable,
  redisUrl,
  type S3TestServer,
  sleep,
  startRedisCluster,
  startS3Server,
  type ThrowawayDatabase,
  uniqueBucketName,
  uniqueName,
  waitFor,
} from '@ai-scale/testkit';
import { type FleetMember, type ServerFleet, startServerFleet } from './support/server-fleet';

const ADMIN_TOKEN = 'admin-token-for-scale-out-tests';
/** The model provider's requests-per-minute limit, for all workers together. */
const PROVIDER_RPM = 12;

/**
 * Two machines' worth of processes: 2 ROLE=api and 2 ROLE=worker processes, EACH WITH ITS OWN EMPTY
 * DATA_DIR, sharing only Redis (standalone, then a real 3-master Redis Cluster), PostgreSQL, an S3
 * server (blobs and the LanceDB index on object storage) and a model endpoint — behind a round-robin
 * client. Whatever one process learns must be visible to the others through those shared engines.
 */
function scaleOutSuite(topology: 'redis' | 'redis-cluster'): void {
  let fleet: ServerFleet;
  let s3: S3TestServer;
  let cluster: RedisCluster | undefined;
  let database: ThrowawayDatabase;
  let upstream: FakeOpenAiServer;
  let tenantKey: string;
  let apis: readonly FleetMember[];
  let turn = 0;
  /** Bodies of the 503s a search was retried after, reported at the end. */
  const retried503: string[] = [];
  /** Round-robin over the api processes, as a load balancer would. */
  const next = (): FleetMember => apis[turn++ % apis.length]!;

  beforeAll(async () => {
    const bucket = uniqueBucketName(`scale-${topology}`);
    [s3, database, upstream] = await Promise.all([
      startS3Server({ buckets: [bucket] }),
      createThrowawayPostgresDatabase('scaleout'),
      startFakeOpenAiServer({}),
    ]);
    if (topology === 'redis-cluster') cluster = await startRedisCluster();
    fleet = await startServerFleet(`scale-${topology}`, {
      ADMIN_TOKEN,
      QUEUE_DRIVER: 'bullmq',
      CACHE_DRIVER: 'redis',
      ...(cluster ? { REDIS_URL: cluster.url } : { REDIS_URL: redisUrl() }),
      QUEUE_PREFIX: uniqueName('so-q'),
      CACHE_PREFIX: uniqueName('so-c'),
      DATABASE_URL: database.url,
      ...s3.serverEnv(bucket, 'lancedb'),
      LLM_PROVIDERS: 'openai-compatible:gpt-4o-mini',
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream',
      // A killed worker's jobs are taken over within seconds, not the 30 s defaults.
      QUEUE_LOCK_DURATION_MS: '3000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      CHAT_SYNC_DEADLINE_MS: '20000',
      // One provider budget for the whole fleet, counted in Redis (LLM_LIMITS_STORE follows CACHE_DRIVER).
      LLM_PROVIDER_RPM: String(PROVIDER_RPM),
      // SCALE_OUT_OVERRIDE='{"BLOB_STORE":"filesystem"}' (or LLM_LIMITS_STORE=memory, LANCEDB_URI=…)
      // puts one shared piece back in each process, to watch this suite catch it.
      ...(JSON.parse(process.env.SCALE_OUT_OVERRIDE ?? '{}') as Record<string, string>),
    });
    apis = fleet.apis;
    tenantKey = (
      await apis[0]!.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'acme' } })
    ).body.apiKey;
  }, 180_000);

  afterAll(async () => {
    if (retried503.length > 0) process.stderr.write(`searches retried after 503: ${retried503.join('\n')}\n`);
    await fleet?.stop();
    await Promise.all([s3?.stop(), cluster?.stop(), database?.drop(), upstream?.close()]);
  }, 60_000);

  async function ingest(via: FleetMember, title: string, text: string): Promise<string> {
    const created = await via.request('POST', '/v1/documents', { token: tenantKey, body: { title, text } });
    expect(created.status).toBe(202);
    return created.body.documentId as string;
  }

  async function waitReady(documentId: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () =>
        (await next().request('GET', `/v1/documents/${documentId}`, { token: tenantKey })).body?.status ===
        'ready',
      { timeoutMs, intervalMs: 200, message: `document ${documentId} ready` },
    );
  }

  const searchIds = async (
    via: FleetMember,
    query: string,
    mode: 'keyword' | 'hybrid' = 'keyword',
    topK = 5,
  ): Promise<string[]> => {
    const search = () => via.request('POST', '/v1/search', { token: tenantKey, body: { query, topK, mode } });
    // A 503 + Retry-After (the shared index busy: a commit by another process, a rebuild) is the
    // API's documented answer to a dependency that did not answer in time; a client retries it.
    let response = await search();
    for (let retry = 0; retry < 3 && response.status === 503; retry += 1) {
      retried503.push(JSON.stringify(response.body));
      await sleep(1000 * Number(response.headers.get('retry-after') ?? 1));
      response = await search();
    }
    expect({ status: response.status, body: response.body }).toEqual({
      status: 200,
      body: expect.anything(),
    });
    return (response.body.results as Array<{ documentId: string }>).map((result) => result.documentId);
  };

  const ask = (via: FleetMember, message: string) =>
    via.request('POST', '/v1/chat', { token: tenantKey, body: { message, mode: 'sync' } });

  it('a document uploaded through api-1 is searchable and cited through api-2, and a delete through api-2 stops both', async () => {
    const documentId = await ingest(
      apis[0]!,
      'Osprey',
      'The Osprey service stores invoices for seven years in the archive bucket.',
    );
    await waitReady(documentId);
    expect(await searchIds(apis[1]!, 'osprey invoices archive')).toContain(documentId);
    const answer = await ask(apis[1]!, 'How long does the Osprey service store invoices?');
    expect(answer.status).toBe(200);
    // The answer is grounded in the document: its text reached the model as context.
    expect(JSON.stringify(upstream.lastChatRequest())).toContain('stores invoices for seven years');

    const repeat = await ask(apis[0]!, 'How long does the Osprey service store invoices?');
    expect(repeat.body.cache).toBe('exact');

    expect(
      (await apis[1]!.request('DELETE', `/v1/documents/${documentId}`, { token: tenantKey })).status,
    ).toBe(200);
    for (const api of apis) {
      await waitFor(async () => !(await searchIds(api, 'osprey invoices archive')).includes(documentId), {
        timeoutMs: 10_000,
        message: `${api.name} to stop finding the deleted document`,
      });
    }
    // The answer grounded in the deleted document is never served again: the next question is a
    // model call without it (whichever api takes it); after that, the new answer may be cached.
    const calls = upstream.stats.chatCompletions;
    const after = await ask(apis[0]!, 'How long does the Osprey service store invoices?');
    expect(after.body.cache).toBeNull();
    expect(upstream.stats.chatCompletions).toBe(calls + 1);
    expect(JSON.stringify(upstream.lastChatRequest())).not.toContain('stores invoices for seven years');
    const again = await ask(apis[1]!, 'How long does the Osprey service store invoices?');
    expect(again.body.answer).toBe(after.body.answer);
  }, 120_000);

  it('a question answered through api-1 is a semantic cache hit through api-2 within a second', async () => {
    const documentId = await ingest(apis[0]!, 'Heron', 'Heron is the queue that carries payment events.');
    await waitReady(documentId);
    const calls = upstream.stats.chatCompletions;
    const first = await ask(apis[0]!, 'What does the Heron queue carry?');
    expect(first.status).toBe(200);
    expect(first.body.cache).toBeNull();
    expect(upstream.stats.chatCompletions).toBe(calls + 1);
    await sleep(1_000);
    const paraphrase = await ask(apis[1]!, 'What does Heron queue carry?');
    expect(paraphrase.status).toBe(200);
    expect(paraphrase.body.cache).toBe('semantic');
    expect(paraphrase.body.answer).toBe(first.body.answer);
    expect(upstream.stats.chatCompletions).toBe(calls + 1);
  }, 60_000);

  it("a tenant's rate limit holds across both api processes", async () => {
    const limited = await apis[0]!.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'limited', rateLimitPerMinute: 4 },
    });
    const statuses: number[] = [];
    for (let index = 0; index < 8; index += 1) {
      statuses.push((await next().request('GET', '/v1/usage', { token: limited.body.apiKey })).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(4);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
  });

  it('killing one worker mid-ingestion loses nothing: every document ends ready, once', async () => {
    const marker = uniqueName('kw').replace(/[^a-z0-9]/gi, '');
    const body = Array.from({ length: 60 }, (_, line) => `Paragraph ${line} of the ${marker} handbook.`).join(
      '\n\n',
    );
    const ids: string[] = [];
    for (let index = 0; index < 8; index += 1) ids.push(await ingest(next(), `${marker} ${index}`, body));
    await fleet.kill(fleet.workers[0]!);
    for (const id of ids) await waitReady(id, 90_000);
    // Each document indexed whole and once: the same chunk count for the same text, and a search
    // finds every one of them (a re-run job upserts the same chunk ids; it never adds copies).
    const counts = await Promise.all(
      ids.map(
        async (id) =>
          (await next().request('GET', `/v1/documents/${id}`, { token: tenantKey })).body.chunkCount,
      ),
    );
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeGreaterThan(0);
    const found = new Set(await searchIds(apis[1]!, `${marker} handbook`, 'hybrid', 50));
    for (const id of ids) expect(found).toContain(id);
    await fleet.restart(fleet.workers[0]!);
  }, 180_000);

  it("the provider's RPM limit holds across both workers: a burst is admitted once, not once per worker", async () => {
    const questions = Array.from(
      { length: 20 },
      (_, index) => `What is fact number ${index + 1} about the Heron queue?`,
    );
    const before = upstream.stats.chatCompletions;
    const accepted = await Promise.all(
      questions.map((message) =>
        next().request('POST', '/v1/chat', { token: tenantKey, body: { message, mode: 'async' } }),
      ),
    );
    for (const response of accepted) expect(response.status).toBe(202);
    // The calls that went out are counted once they stop: at most what is left of the ONE shared
    // bucket (PROVIDER_RPM, less what earlier tests spent) plus its refill while the burst ran (one
    // request per 60/PROVIDER_RPM s). A bucket per worker lets out up to twice the bucket: all 20.
    const started = Date.now();
    // Until the calls stop coming for 3 s (the bucket is empty: at most one refill per 5 s), or 45 s.
    let seen = upstream.stats.chatCompletions;
    let changedAt = Date.now();
    while (Date.now() - started < 45_000) {
      await sleep(500);
      if (upstream.stats.chatCompletions !== seen) {
        seen = upstream.stats.chatCompletions;
        changedAt = Date.now();
      } else if (seen > before && Date.now() - changedAt >= 3_000) break;
    }
    const elapsedSeconds = (Date.now() - started) / 1000;
    const calls = upstream.stats.chatCompletions - before;
    expect(calls).toBeLessThanOrEqual(PROVIDER_RPM + Math.ceil(elapsedSeconds / (60 / PROVIDER_RPM)));
    expect(calls).toBeLessThan(questions.length);
  }, 90_000);

  it('no process wrote anything to its DATA_DIR: state lives only in the shared engines', () => {
    for (const member of [...fleet.apis, ...fleet.workers]) {
      expect(fleet.dataDirFiles(member).filter((file) => !file.startsWith('tmp'))).toEqual([]);
    }
  });
}

describeWithRedisAndPostgres('scale-out: 2 api + 2 worker processes, no shared disk (Redis)', () =>
  scaleOutSuite('redis'),
);

(redisClusterAvailable() ? describeWithRedisAndPostgres : describe.skip)(
  'scale-out: 2 api + 2 worker processes, no shared disk (Redis Cluster, 3 masters)',
  () => scaleOutSuite('redis-cluster'),
);
