import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import {
  createThrowawayPostgresDatabase,
  describeWithRedisAndPostgres,
  redisUrl,
  type ThrowawayDatabase,
  uniqueName,
  waitFor,
} from '@ai-scale/testkit';
import { httpRequest } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-trace-tests-0123';
const builtMain = path.join(__dirname, '..', 'dist', 'main.js');

interface CollectedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
}

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
type OtlpAttribute = { key: string; value: OtlpValue };

/** An OTLP/HTTP (JSON) receiver that keeps every span it is sent: the test's in-memory exporter. */
async function startCollector(): Promise<{ url: string; spans: CollectedSpan[]; close(): Promise<void> }> {
  const spans: CollectedSpan[] = [];
  const value = (v: OtlpValue): unknown => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{
            resource: { attributes: OtlpAttribute[] };
            scopeSpans: Array<{
              spans: Array<{
                traceId: string;
                spanId: string;
                parentSpanId?: string;
                name: string;
                kind: number;
                attributes?: OtlpAttribute[];
              }>;
            }>;
          }>;
        };
        for (const resourceSpans of body.resourceSpans) {
          const service = String(
            value(resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {}),
          );
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                name: span.name,
                kind: span.kind,
                attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, value(a.value)])),
              });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * One trace per request: a chat question asked of the api process runs in a separate worker
 * process, and every hop — HTTP server, enqueue, the worker's job, retrieval, the gateway, the
 * provider's HTTP call, Redis, PostgreSQL — lands in ONE trace whose parent/child chain leads back
 * to the API request. The processes export over OTLP/HTTP to a receiver in this test.
 */
describeWithRedisAndPostgres(
  'one trace per request across api, queue, worker, retrieval, gateway, provider, cache, database',
  () => {
    let database: ThrowawayDatabase;
    let dataDir: string;
    let collector: Awaited<ReturnType<typeof startCollector>>;
    let provider: FakeOpenAiServer;
    const processes: ChildProcess[] = [];
    let apiUrl: string;

    function start(role: 'api' | 'worker', port: number, environment: Record<string, string>): ChildProcess {
      const child = spawn(process.execPath, [builtMain], {
        env: { PATH: process.env.PATH, ...environment, ROLE: role, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => {
        if (code && code !== 0 && code !== 143) process.stderr.write(`[${role}] exited ${code}: ${stderr}\n`);
      });
      processes.push(child);
      return child;
    }

    beforeAll(async () => {
      if (!existsSync(builtMain))
        throw new Error('build the server first: npm run build -w @ai-scale/server');
      database = await createThrowawayPostgresDatabase('trace');
      dataDir = mkdtempSync(path.join(tmpdir(), 'ai-scale-trace-'));
      collector = await startCollector();
      provider = await startFakeOpenAiServer({ latency: { kind: 'fixed', ms: 5 } });
      const environment = {
        QUEUE_DRIVER: 'bullmq',
        CACHE_DRIVER: 'redis',
        REDIS_URL: redisUrl(),
        DATABASE_URL: database.url,
        QUEUE_PREFIX: uniqueName('trq'),
        CACHE_PREFIX: uniqueName('trc'),
        VECTOR_STORE: 'lancedb',
        DATA_DIR: dataDir,
        ADMIN_TOKEN,
        LLM_PROVIDERS: 'openai-compatible:fake-small',
        OPENAI_BASE_URL: provider.url,
        OPENAI_API_KEY: 'sk-test',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        DEMO_TENANT: 'false',
        LOG_LEVEL: 'warn',
        LANCE_CPU_THREADS: '2',
        LANCEDB_LOG: 'error',
        SCARF_ANALYTICS: 'false',
      };
      const apiPort = 20_000 + Math.floor(Math.random() * 20_000);
      apiUrl = `http://127.0.0.1:${apiPort}`;
      start('api', apiPort, { ...environment, OTEL_SERVICE_NAME: 'ai-scale-api' });
      await waitFor(
        async () =>
          (await httpRequest(apiUrl, 'GET', '/health/ready').catch(() => undefined))?.status === 200,
        {
          timeoutMs: 60_000,
          message: 'api ready',
        },
      );
      start('worker', apiPort + 1, { ...environment, OTEL_SERVICE_NAME: 'ai-scale-worker' });
      await waitFor(
        async () =>
          (
            await httpRequest(`http://127.0.0.1:${apiPort + 1}`, 'GET', '/health/ready').catch(
              () => undefined,
            )
          )?.status === 200,
        { timeoutMs: 60_000, message: 'worker ready' },
      );
    }, 120_000);

    afterAll(async () => {
      for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
      await provider?.close();
      await collector?.close();
      await database?.drop().catch(() => undefined);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('links every hop of a chat question into one trace rooted at the API request', async () => {
      const tenant = await httpRequest(apiUrl, 'POST', '/v1/admin/tenants', {
        token: ADMIN_TOKEN,
        body: { name: 'traced' },
      });
      const apiKey = tenant.body.apiKey as string;
      const document = await httpRequest(apiUrl, 'POST', '/v1/documents', {
        token: apiKey,
        body: {
          title: 'Wind tunnels',
          text: 'Wind tunnels measure drag on scale models at controlled airspeeds.',
        },
      });
      const waitJob = async (jobId: string) =>
        waitFor(
          async () =>
            (await httpRequest(apiUrl, 'GET', `/v1/jobs/${jobId}`, { token: apiKey })).body?.state ===
            'completed',
          { timeoutMs: 60_000, message: `job ${jobId}` },
        );
      await waitJob(document.body.jobId);
      const chat = await httpRequest(apiUrl, 'POST', '/v1/chat', {
        token: apiKey,
        body: { message: 'What do wind tunnels measure?', mode: 'async' },
      });
      expect(chat.status).toBe(202);
      await waitJob(chat.body.jobId);
      expect(provider.stats.chatCompletions).toBeGreaterThan(0);
      // The OpenAI-compatible API answers in the api process, through the same gateway.
      const completion = await httpRequest(apiUrl, 'POST', '/v1/openai/chat/completions', {
        token: apiKey,
        body: { model: 'auto', messages: [{ role: 'user', content: 'What do wind tunnels measure?' }] },
      });
      expect(completion.status).toBe(200);

      // SIGTERM flushes each process's batch span processor before it exits.
      for (const child of processes) child.kill('SIGTERM');
      await Promise.all(
        processes.map(
          (child) =>
            new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
        ),
      );

      const root = collector.spans.find(
        (span) =>
          span.service === 'ai-scale-api' &&
          span.kind === 2 &&
          /POST/.test(span.name) &&
          String(span.attributes['http.route'] ?? span.attributes['url.path'] ?? span.name).includes(
            '/v1/chat',
          ),
      );
      expect(root).toBeDefined();
      const trace = collector.spans.filter((span) => span.traceId === root!.traceId);
      const byId = new Map(trace.map((span) => [span.spanId, span]));
      const ancestry = (span: CollectedSpan): string[] => {
        const names: string[] = [];
        let current: CollectedSpan | undefined = span;
        while (current?.parentSpanId) {
          current = byId.get(current.parentSpanId);
          if (current) names.push(current.name);
        }
        return names;
      };
      const leadsToRoot = (span: CollectedSpan): boolean => {
        let current: CollectedSpan | undefined = span;
        for (let hops = 0; current && hops < 100; hops++) {
          if (current.spanId === root!.spanId) return true;
          current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
        }
        return false;
      };
      const find = (label: string, predicate: (span: CollectedSpan) => boolean): CollectedSpan => {
        const span = trace.find(predicate);
        if (!span) {
          throw new Error(
            `no ${label} span in the request's trace; it has: ${trace.map((s) => `${s.service}:${s.name}`).join(', ')}`,
          );
        }
        expect({ label, leadsToRoot: leadsToRoot(span) }).toEqual({ label, leadsToRoot: true });
        return span;
      };

      if (process.env.TRACE_DEBUG)
        console.log(trace.map((s) => `${s.service} ${s.name} <- ${ancestry(s).join(' <- ')}`).join('\n'));
      const enqueue = find(
        'queue enqueue (api)',
        (s) => s.service === 'ai-scale-api' && s.name.startsWith('send ') && s.kind === 4,
      );
      const processSpan = find(
        'queue process (worker)',
        (s) => s.service === 'ai-scale-worker' && s.name.startsWith('process ') && s.kind === 5,
      );
      const search = find(
        'retrieval search',
        (s) => s.service === 'ai-scale-worker' && s.name.startsWith('ai_scale.retrieval.search'),
      );
      const providerCall = find(
        'provider HTTP call',
        (s) =>
          s.service === 'ai-scale-worker' &&
          s.kind === 3 &&
          String(s.attributes['url.full'] ?? s.attributes['server.port'] ?? '').includes(
            new URL(provider.url).port,
          ),
      );
      find(
        'cache (Redis)',
        (s) => s.attributes['db.system'] === 'redis' || s.attributes['db.system.name'] === 'redis',
      );
      find(
        'database (PostgreSQL)',
        (s) => s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql',
      );
      find(
        'gateway',
        (s) =>
          s.name.startsWith('ai_scale.llm.gateway') ||
          s.name.startsWith('chat ') ||
          s.attributes['gen_ai.operation.name'] === 'chat',
      );

      // /v1/openai/chat/completions is one trace too: the API request → gateway → provider call.
      const openAiRoot = collector.spans.find(
        (span) =>
          span.service === 'ai-scale-api' &&
          span.kind === 2 &&
          String(span.attributes['http.route'] ?? span.attributes['url.path'] ?? span.name).includes(
            '/v1/openai/chat/completions',
          ),
      );
      expect(openAiRoot).toBeDefined();
      const openAiTrace = collector.spans.filter((span) => span.traceId === openAiRoot!.traceId);
      expect(
        openAiTrace.some((span) => span.attributes['gen_ai.operation.name'] === 'chat' && span.kind === 3),
      ).toBe(true);
      expect(
        openAiTrace.some(
          (span) =>
            span.kind === 3 &&
            String(span.attributes['url.full'] ?? span.attributes['server.port'] ?? '').includes(
              new URL(provider.url).port,
            ),
        ),
      ).toBe(true);

      // The chain itself: API request → enqueue → (job, in the worker process) → retrieval and the provider call.
      expect(ancestry(processSpan)).toContain(enqueue.name);
      expect(ancestry(search)).toContain(processSpan.name);
      expect(ancestry(providerCall)).toContain(processSpan.name);
    }, 180_000);
  },
);
