import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import { METRIC_CATALOG, prometheusMetricName, sanitizePrometheusName } from '@ai-scale/telemetry';
import {
  type ChildHandle,
  createThrowawayPostgresDatabase,
  describeWithRedisAndPostgres,
  freePort,
  redisUrl,
  spawnChild,
  stopChild,
  type ThrowawayDatabase,
  uniqueName,
  waitFor,
  waitUntil,
} from '@ai-scale/testkit';
import { builtMain } from './support/api-and-worker';
import { httpRequest } from './support/server-under-test';

const execFileAsync = promisify(execFile);
const REPO = path.resolve(__dirname, '..', '..', '..');
const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = '/usr/bin/prometheus';
const ADMIN_TOKEN = 'admin-token-for-scrape-tests-0123';
const DASHBOARD = path.join(REPO, 'infra/grafana/dashboards/ai-scale.json');

const prometheusInstalled = existsSync(PROMTOOL) && existsSync(PROMETHEUS);
if (!prometheusInstalled && process.env.REQUIRE_SERVICES === '1') {
  throw new Error(
    `REQUIRE_SERVICES=1 but ${PROMTOOL} / ${PROMETHEUS} are missing (apt-get install prometheus)`,
  );
}
const describeIfPrometheus = prometheusInstalled
  ? describeWithRedisAndPostgres
  : (name: string, body: () => void) =>
      describe.skip(`${name} (skipped: promtool/prometheus not installed; apt-get install prometheus)`, body);

interface PromResponse<T> {
  readonly status: 'success' | 'error';
  readonly data: T;
  readonly error?: string;
}

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: ReadonlyArray<{ readonly expr?: string; readonly refId: string }>;
}

/** Families the OpenTelemetry instrumentations and the exporter add next to the catalogue. */
const NOT_CATALOGUED = new Set([
  'target_info',
  'http_client_request_duration_seconds',
  'db_client_operation_duration_seconds',
  'db_client_connections_usage',
  'db_client_connection_max',
  'db_client_connection_pending_requests',
]);

/** `# TYPE` lines of a scrape: family → type. */
function families(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1]!, match[2]!]));
}

/**
 * The scrape a real Prometheus gets from an api and a worker (ROLE=api + ROLE=worker processes of
 * the built server, BullMQ on Redis, PostgreSQL) after every kind of traffic: both expositions pass
 * `promtool check metrics`; a Prometheus started here with the repository's scrape config (targets
 * rewritten to these processes) and alert rules scrapes both, every rule evaluates without error,
 * and every Grafana panel query returns data.
 */
describeIfPrometheus('Prometheus scrapes a running api and worker (promtool, real Prometheus)', () => {
  let database: ThrowawayDatabase;
  let dataDir: string;
  let promDir: string;
  let provider: FakeOpenAiServer;
  const children: ChildHandle[] = [];
  let apiUrl = '';
  let workerUrl = '';
  let promUrl = '';
  let apiKey = '';

  const startRole = async (role: 'api' | 'worker', environment: Record<string, string>): Promise<string> => {
    const port = await freePort();
    const handle = spawnChild(role, process.execPath, [builtMain], {
      env: { PATH: process.env.PATH, ...environment, ROLE: role, PORT: String(port), HOST: '127.0.0.1' },
    });
    children.push(handle);
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(
      `${role} ready`,
      async () => (await httpRequest(url, 'GET', '/health/ready')).status === 200,
      { timeoutMs: 60_000, intervalMs: 200, handle },
    );
    return url;
  };

  const prom = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${promUrl}${pathAndQuery}`);
    const body = (await response.json()) as PromResponse<T>;
    if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.error ?? response.status}`);
    return body.data;
  };

  const waitJob = async (jobId: string, states: readonly string[] = ['completed']): Promise<string> => {
    let state = '';
    await waitFor(
      async () => {
        state = (await httpRequest(apiUrl, 'GET', `/v1/jobs/${jobId}`, { token: apiKey })).body?.state;
        return states.includes(state);
      },
      { timeoutMs: 90_000, message: `job ${jobId} to reach ${states.join('|')}` },
    );
    return state;
  };

  beforeAll(async () => {
    if (!existsSync(builtMain)) throw new Error('build the server first: npm run build -w @ai-scale/server');
    database = await createThrowawayPostgresDatabase('scrape');
    dataDir = mkdtempSync(path.join(tmpdir(), 'ai-scale-scrape-'));
    promDir = mkdtempSync(path.join(tmpdir(), 'ai-scale-prometheus-'));
    provider = await startFakeOpenAiServer({ latency: { kind: 'fixed', ms: 5 } });
    const environment = {
      QUEUE_DRIVER: 'bullmq',
      CACHE_DRIVER: 'redis',
      REDIS_URL: redisUrl(),
      DATABASE_URL: database.url,
      QUEUE_PREFIX: uniqueName('scq'),
      CACHE_PREFIX: uniqueName('scc'),
      VECTOR_STORE: 'lancedb',
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      // Two priced models on the fake provider: a failure of the first falls back to the second.
      LLM_PROVIDERS: 'openai-compatible:gpt-4o-mini,openai-compatible:gpt-4o',
      OPENAI_BASE_URL: provider.url,
      OPENAI_API_KEY: 'sk-test',
      // A heartbeat every second (lockDuration / 2), so "live workers" shows within the test.
      QUEUE_LOCK_DURATION_MS: '2000',
      QUEUE_STALLED_INTERVAL_MS: '2000',
      DEMO_TENANT: 'false',
      LOG_LEVEL: process.env.SCRAPE_LOG_LEVEL ?? 'warn',
      LANCE_CPU_THREADS: '2',
      LANCEDB_LOG: 'error',
      SCARF_ANALYTICS: 'false',
    };
    apiUrl = await startRole('api', { ...environment, OTEL_SERVICE_NAME: 'ai-scale-api' });
    workerUrl = await startRole('worker', { ...environment, OTEL_SERVICE_NAME: 'ai-scale-worker' });

    // Prometheus with the repository's own scrape config and rules, on loopback, temp storage.
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    const host = (url: string): string => new URL(url).host;
    const { stdout: config } = await execFileAsync(process.execPath, [
      path.join(REPO, 'infra/prometheus/test-config.cjs'),
      JSON.stringify({
        interval: '1s',
        targets: { api: [host(apiUrl)], worker: [host(workerUrl)], prometheus: [host(promUrl)] },
      }),
    ]);
    writeFileSync(path.join(promDir, 'prometheus.yml'), config);
    const handle = spawnChild('prometheus', PROMETHEUS, [
      `--config.file=${path.join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    children.push(handle);
    await waitUntil('prometheus ready', async () => (await fetch(`${promUrl}/-/ready`)).ok, {
      timeoutMs: 30_000,
      intervalMs: 200,
      handle,
    });
  }, 180_000);

  afterAll(async () => {
    for (const child of children.reverse()) await stopChild(child, 'SIGTERM', 10_000);
    await provider?.close();
    await database?.drop().catch(() => undefined);
    for (const directory of [dataDir, promDir])
      if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('drives every kind of traffic: documents (JSON, upload), search, chat sync/async/stream, cache hit, agent run, errors', async () => {
    const tenant = await httpRequest(apiUrl, 'POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'scraped' },
    });
    expect(tenant.status).toBe(201);
    apiKey = tenant.body.apiKey as string;
    const token = apiKey;

    const json = await httpRequest(apiUrl, 'POST', '/v1/documents', {
      token,
      body: {
        title: 'Wind tunnels',
        text: 'Wind tunnels measure drag on scale models at controlled airspeeds.',
      },
    });
    const form = new FormData();
    form.append(
      'file',
      new Blob(['Heron is the codename of the billing rewrite.'], { type: 'text/plain' }),
      'heron.txt',
    );
    const upload = await httpRequest(apiUrl, 'POST', '/v1/documents', { token, rawBody: form });
    expect([json.status, upload.status]).toEqual([202, 202]);
    await waitJob(json.body.jobId);
    await waitJob(upload.body.jobId);

    expect(
      (await httpRequest(apiUrl, 'POST', '/v1/search', { token, body: { query: 'drag', mode: 'hybrid' } }))
        .status,
    ).toBe(200);
    const empty = await httpRequest(apiUrl, 'POST', '/v1/search', {
      token,
      body: { query: 'zyzzyva', mode: 'keyword' },
    });
    expect(empty.status).toBe(200);

    const logs = (): string =>
      `${JSON.stringify(provider.stats)}\n${children.map((child) => `[${child.name}]\n${child.tail()}`).join('\n')}`;
    // A sync chat answers 200 within CHAT_SYNC_DEADLINE_MS, else 202 + jobId (a loaded machine): both are served.
    const askSync = async (message: string): Promise<void> => {
      const answer = await httpRequest(apiUrl, 'POST', '/v1/chat', {
        token,
        body: { message, mode: 'sync' },
      });
      expect({
        status: [200, 202].includes(answer.status),
        body: answer.status < 300 ? '' : `${answer.text}\n${logs()}`,
      }).toEqual({
        status: true,
        body: '',
      });
      if (answer.status === 202) await waitJob(answer.body.jobId);
    };
    await askSync('What do wind tunnels measure?');
    // The same question again: an exact cache hit, not a model call.
    await askSync('What do wind tunnels measure?');
    const queued = await httpRequest(apiUrl, 'POST', '/v1/chat', {
      token,
      body: { message: 'What is Heron?', mode: 'async' },
    });
    expect(queued.status).toBe(202);
    await waitJob(queued.body.jobId);
    const stream = await httpRequest(apiUrl, 'POST', '/v1/chat', {
      token,
      body: { message: 'Tell me about drag.', mode: 'stream' },
    });
    expect(stream.status).toBe(200);
    expect(stream.text).toContain('event: done');

    // One provider failure: the gateway falls back to the second model.
    provider.injectFaults(['server_error']);
    await askSync('Fallback, please.');

    const run = await httpRequest(apiUrl, 'POST', '/v1/agents/runs', {
      token,
      body: { agent: 'research', input: { question: 'What is Heron?' } },
    });
    expect(run.status).toBe(202);
    await waitFor(
      async () =>
        ['succeeded', 'failed'].includes(
          (await httpRequest(apiUrl, 'GET', `/v1/agents/runs/${run.body.runId}`, { token })).body?.status,
        ),
      { timeoutMs: 90_000, message: 'agent run' },
    );

    // Errors: 401, 400 (bad body), 404, and chat jobs whose every provider call fails, twice, a
    // scrape apart (so the dead-letter counter increases between samples).
    expect((await httpRequest(apiUrl, 'POST', '/v1/search', { body: { query: 'x' } })).status).toBe(401);
    expect(
      (
        await httpRequest(apiUrl, 'POST', '/v1/search', {
          token,
          rawBody: '{"query": ',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(400);
    expect((await httpRequest(apiUrl, 'GET', '/v1/jobs/no-such-job', { token })).status).toBe(404);
    for (const question of ['Doomed one?', 'Doomed two?']) {
      provider.injectFaults(Array.from({ length: 200 }, () => 'server_error' as const));
      const doomed = await httpRequest(apiUrl, 'POST', '/v1/chat', {
        token,
        body: { message: question, mode: 'async' },
      });
      expect(doomed.status).toBe(202);
      expect(await waitJob(doomed.body.jobId, ['failed'])).toBe('failed');
      provider.injectFaults([]);
      await new Promise((resolve) => setTimeout(resolve, 2500));
    }
  }, 300_000);

  it.each([
    ['api', () => apiUrl],
    ['worker', () => workerUrl],
  ])(
    '/metrics of the %s passes promtool check metrics, one owner per family, named as the catalogue says',
    async (_role, url) => {
      const response = await fetch(`${url()}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      const file = path.join(promDir, `${_role}.prom`);
      writeFileSync(file, text);
      let output = '';
      try {
        await execFileAsync('/bin/sh', ['-c', `"${PROMTOOL}" check metrics < "${file}"`]);
      } catch (error) {
        const failure = error as { stdout?: string; stderr?: string };
        output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
      }
      expect(output).toBe('');
      const typed = families(text);
      const catalogued = new Map(
        Object.values(METRIC_CATALOG).map((metric) => [
          prometheusMetricName(metric.name, metric.unit, metric.kind),
          metric,
        ]),
      );
      const unknown = [...typed.keys()].filter(
        (family) => !catalogued.has(family) && !NOT_CATALOGUED.has(family),
      );
      expect(unknown).toEqual([]);
      for (const [family, type] of typed) {
        const metric = catalogued.get(family);
        if (!metric) continue;
        expect({ family, type }).toEqual({ family, type: metric.kind });
        // Every label on a catalogued series is an attribute the catalogue lists (or the scope's).
        const allowed = new Set([
          'otel_scope_name',
          'otel_scope_version',
          'le',
          ...metric.attributes.map(sanitizePrometheusName),
        ]);
        for (const match of text.matchAll(
          new RegExp(`^${family}(?:_bucket|_sum|_count)?\\{([^}]*)\\}`, 'gm'),
        )) {
          const labels = [...(match[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map(
            (label) => label[1]!,
          );
          expect({ family, extra: labels.filter((label) => !allowed.has(label)) }).toEqual({
            family,
            extra: [],
          });
        }
      }
    },
  );

  it('is scraped by a real Prometheus: both targets up, every alert rule healthy, every dashboard query returns data', async () => {
    await waitFor(
      async () => {
        const { activeTargets } = await prom<{
          activeTargets: Array<{ labels: { job: string }; health: string }>;
        }>('/api/v1/targets');
        return ['api', 'worker'].every((job) =>
          activeTargets.some((target) => target.labels.job === job && target.health === 'up'),
        );
      },
      { timeoutMs: 30_000, message: 'api and worker targets up' },
    );
    const { activeTargets } = await prom<{
      activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }>;
    }>('/api/v1/targets');
    expect(
      activeTargets
        .map((target) => ({ job: target.labels.job, health: target.health, error: target.lastError }))
        .sort((a, b) => a.job.localeCompare(b.job)),
    ).toEqual([
      { job: 'api', health: 'up', error: '' },
      { job: 'prometheus', health: 'up', error: '' },
      { job: 'worker', health: 'up', error: '' },
    ]);

    interface Rule {
      readonly name: string;
      readonly health: string;
      readonly lastError?: string;
      readonly lastEvaluation: string;
    }
    let rules: Rule[] = [];
    await waitFor(
      async () => {
        const { groups } = await prom<{ groups: Array<{ rules: Rule[] }> }>('/api/v1/rules');
        rules = groups.flatMap((group) => group.rules);
        return rules.length > 0 && rules.every((rule) => !rule.lastEvaluation.startsWith('0001-'));
      },
      { timeoutMs: 30_000, message: 'every rule evaluated once' },
    );
    const ruleFile = readFileSync(path.join(REPO, 'infra/prometheus/alerts.yml'), 'utf8');
    expect(rules.length).toBe([...ruleFile.matchAll(/^\s+- (alert|record): /gm)].length);
    expect(
      rules
        .filter((rule) => rule.health !== 'ok')
        .map((rule) => `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`),
    ).toEqual([]);

    const board = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
    const queries = board.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        panel: panel.title,
        refId: target.refId,
        expr: (target.expr ?? '').replace(/\$__rate_interval/g, '1m').replace(/\$queue/g, '.*'),
      })),
    );
    expect(queries.length).toBeGreaterThan(20);
    // One more dead-lettered job now that Prometheus has samples of the counter: the alert's
    // increase() needs it to grow between two scrapes, whenever Prometheus started.
    provider.injectFaults(Array.from({ length: 200 }, () => 'server_error' as const));
    const doomed = await httpRequest(apiUrl, 'POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'Doomed three?', mode: 'async' },
    });
    expect(await waitJob(doomed.body.jobId, ['failed'])).toBe('failed');
    provider.injectFaults([]);
    // Give rates two samples and the dead-letter alert its evaluation.
    let empty: string[] = [];
    await waitFor(
      async () => {
        empty = [];
        for (const query of queries) {
          const { result } = await prom<{ result: unknown[] }>(
            `/api/v1/query?query=${encodeURIComponent(query.expr)}`,
          );
          if (result.length === 0) empty.push(`${query.panel} ${query.refId}: ${query.expr}`);
        }
        return empty.length === 0;
      },
      { timeoutMs: 45_000, intervalMs: 1000, message: 'every panel query to return data' },
    ).catch(() => undefined);
    expect(empty).toEqual([]);
    // The dashboard's template variables (`label_values(series, label)`) list values too.
    const variables = (
      JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
        templating: { list: Array<{ name: string; query: { query: string } }> };
      }
    ).templating.list;
    for (const variable of variables) {
      const [, series, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query.query) ?? [];
      expect({ variable: variable.name, parsed: series !== undefined }).toEqual({
        variable: variable.name,
        parsed: true,
      });
      const values = await prom<string[]>(
        `/api/v1/label/${label}/values?match[]=${encodeURIComponent(series!)}`,
      );
      expect({ variable: variable.name, values: values.length > 0 }).toEqual({
        variable: variable.name,
        values: true,
      });
    }
    if (process.env.SCRAPE_DEBUG) {
      const firing = await prom<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent('ALERTS')}`);
      console.log(
        JSON.stringify({ queries: queries.length, rules: rules.length, alerts: firing.result }, null, 1),
      );
    }
  }, 120_000);
});
