/**
 * Scenario `gateway`: what @ai-scale/llm-gateway costs and what it saves.
 *
 * 1. Overhead: the same in-process fake provider (no latency) called directly and through two
 *    gateways, one call at a time, with tracing ON (a real BasicTracerProvider + BatchSpanProcessor +
 *    an exporter that drops the batches), phases alternating so drift hits all three:
 *    - in-memory: approximate token counter, memory ledger, memory reservations and buckets;
 *    - production (the headline): what the server runs — the tiktoken counter, the TypeORM ledger on
 *      PostgreSQL (one INSERT per call), budget reservations and RPM/TPM buckets in Redis (Lua), a
 *      tenant budget so every call reserves and settles. Needs Redis and PostgreSQL.
 *    Latency is measured paced (`--rate N`, default 2,000/s in memory, `--production-rate`, 300/s);
 *    `calls_per_s` and `production_calls_per_s` are measured rates: calls completed back to back
 *    for a fixed time, divided by the time they took.
 * 2. Faults: a primary fake OpenAI-compatible HTTP server failing 30% of calls (15% 500, 10% 429
 *    with Retry-After, 5% hangs) and a healthy fallback server, through the openai-compatible
 *    adapter over real HTTP, 50 calls/s by default (`--fault-rate N`) (both servers share this process): the share of calls
 *    answered and their p99. A hang costs the 1 s attempt timeout before the fallback answers.
 */
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import {
  ApproximateTokenCounter,
  createLlmGateway,
  TiktokenCounter,
  FakeLlmProvider,
  MemoryUsageLedger,
  type GatewayChatRequest,
  type LlmProvider,
} from '@ai-scale/llm-gateway';
import { OpenAiCompatibleLlmProvider } from '@ai-scale/llm-gateway/openai-compatible';
import { startFakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import { quantile, round } from '../report';
import type { Scenario, ScenarioContext } from '../scenario';

/** Drops spans after the batch processor has done its work: the SDK cost is paid, nothing is sent. */
class DiscardingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

const QUESTIONS = [
  'What are the opening hours of the Lyon office?',
  'How long do refunds take for annual plans?',
  'Which payment methods are accepted?',
  'Is there a student discount?',
];

/** Fires `call` at `rate` per second for `seconds`, open loop; returns latencies in µs and the achieved rate. */
async function paced(
  rate: number,
  seconds: number,
  call: (index: number) => Promise<unknown>,
): Promise<{ latenciesUs: number[]; callsPerSecond: number; failures: number }> {
  const latenciesUs: number[] = [];
  const total = Math.round(rate * seconds);
  const intervalNs = 1e9 / rate;
  const started = process.hrtime.bigint();
  let sent = 0;
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  while (sent < total) {
    const elapsed = Number(process.hrtime.bigint() - started);
    const due = Math.min(total, Math.floor(elapsed / intervalNs) + 1);
    while (sent < due) {
      const index = sent++;
      const begin = process.hrtime.bigint();
      const promise: Promise<void> = call(index).then(
        () => {
          latenciesUs.push(Number(process.hrtime.bigint() - begin) / 1_000);
        },
        () => {
          failures++;
        },
      );
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
    }
    // Yield to the event loop (timers, I/O, completions) before the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inFlight);
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  return { latenciesUs, callsPerSecond: total / elapsedS, failures };
}

/**
 * Calls `call` at `rate` per second for `seconds`, one at a time: each call starts at its slot (or
 * at once when behind) and is awaited before the next, so a call's latency is its own and never
 * includes the microtasks of calls started in the same tick (which open-loop batching would add).
 * The event loop turns between calls (setImmediate), so timers and the span exporter keep running.
 */
async function pacedSequential(
  rate: number,
  seconds: number,
  call: (index: number) => Promise<unknown>,
): Promise<{ latenciesUs: number[]; callsPerSecond: number }> {
  const total = Math.round(rate * seconds);
  const latenciesUs = new Array<number>(total);
  const intervalNs = 1e9 / rate;
  const started = process.hrtime.bigint();
  for (let index = 0; index < total; index++) {
    while (Number(process.hrtime.bigint() - started) < index * intervalNs) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const begin = process.hrtime.bigint();
    await call(index);
    latenciesUs[index] = Number(process.hrtime.bigint() - begin) / 1_000;
  }
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  return { latenciesUs, callsPerSecond: total / elapsedS };
}

/** Calls `call` back to back for `seconds`: the rate the path sustains, measured, not paced. */
async function closedLoop(seconds: number, call: (index: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  const until = started + BigInt(Math.round(seconds * 1e9));
  let done = 0;
  while (process.hrtime.bigint() < until) {
    await call(done++);
    // Let timers and the span exporter run, as they would between requests.
    if (done % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

interface ProductionPath {
  readonly gateway: ReturnType<typeof createLlmGateway>;
  readonly tenantId: string;
  /** One `SELECT 1` round trip to the same PostgreSQL, for reading the figure on a loaded host. */
  roundTrip(): Promise<unknown>;
  close(): Promise<void>;
}

/** The server's components: tiktoken, the TypeORM ledger on PostgreSQL, reservations and buckets in Redis. */
async function productionPath(provider: LlmProvider, context: ScenarioContext): Promise<ProductionPath> {
  const { openDatabase, Tenant } = await import('@ai-scale/persistence');
  const { TypeormUsageLedger } = await import('@ai-scale/llm-gateway/typeorm');
  const { RedisBudgetReservations, RedisRateLimiter } = await import('@ai-scale/llm-gateway/redis');
  const { createThrowawayPostgresDatabase, redisUrl, uniqueName, deleteRedisKeys } =
    await import('@ai-scale/testkit');
  const { Redis } = await import('ioredis');
  const database = await createThrowawayPostgresDatabase('bench_gateway');
  const dataSource = await openDatabase({ url: database.url });
  const tenant = await dataSource
    .getRepository(Tenant)
    .save(dataSource.getRepository(Tenant).create({ name: 'bench' }));
  const redis = new Redis(redisUrl());
  const prefix = uniqueName('bench-gw');
  const counter = new TiktokenCounter();
  counter.warmUp();
  context.log(`production path: PostgreSQL ${database.name}, Redis prefix ${prefix}`);
  const gateway = createLlmGateway({
    providers: [{ provider, limits: { concurrency: 10_000, rpm: 10_000_000, tpm: 1_000_000_000 } }],
    models: [
      { id: 'fake-small', provider: 'fake', tier: 'small', contextWindow: 128_000 },
      { id: 'fake-large', provider: 'fake', tier: 'large', contextWindow: 128_000 },
    ],
    routes: { small: ['fake-small'], large: ['fake-large'] },
    ledger: new TypeormUsageLedger({ dataSource }),
    budgets: () => ({ dailyUsd: 1_000, monthlyUsd: 10_000 }),
    reservations: new RedisBudgetReservations({ client: redis, prefix }),
    rateLimiter: new RedisRateLimiter({ client: redis, prefix }),
    tokenCounter: counter,
  });
  return {
    gateway,
    tenantId: tenant.id,
    roundTrip: () => dataSource.query('SELECT 1'),
    async close() {
      await deleteRedisKeys(`${prefix}:*`);
      await redis.quit();
      await dataSource.destroy();
      await database.drop();
    },
  };
}

async function overhead(context: ScenarioContext): Promise<Record<string, number>> {
  const exporter = new DiscardingExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(tracerProvider);

  const provider: LlmProvider = new FakeLlmProvider({ name: 'fake', respond: 'The office opens at 9.' });
  const gateway = createLlmGateway({
    providers: [{ provider, limits: { concurrency: 10_000, rpm: 10_000_000, tpm: 1_000_000_000 } }],
    models: [
      { id: 'fake-small', provider: 'fake', tier: 'small', contextWindow: 128_000 },
      { id: 'fake-large', provider: 'fake', tier: 'large', contextWindow: 128_000 },
    ],
    routes: { small: ['fake-small'], large: ['fake-large'] },
    ledger: new MemoryUsageLedger(),
    budgets: () => ({ dailyUsd: 1_000, monthlyUsd: 10_000 }),
    tokenCounter: new ApproximateTokenCounter(),
  });
  const production = await productionPath(provider, context);
  // Every prompt distinct (as real traffic is), so no memo of the token counter hides its cost.
  const question = (index: number) => [
    { role: 'user' as const, content: `${QUESTIONS[index % QUESTIONS.length] as string} (ticket ${index})` },
  ];
  const direct = (index: number): Promise<unknown> =>
    provider.chat({ model: 'fake-small', messages: question(index) });
  let sequence = 0;
  const viaGateway = (index: number): Promise<unknown> =>
    gateway.chat({
      tenantId: 'bench',
      requestId: `r${++sequence}-${index}`,
      messages: question(index),
    } satisfies GatewayChatRequest);
  const viaProduction = (index: number): Promise<unknown> =>
    production.gateway.chat({
      tenantId: production.tenantId,
      requestId: `p${++sequence}-${index}`,
      messages: question(index),
    } satisfies GatewayChatRequest);

  const rate = Number(context.flags.rate ?? 2_000);
  const productionRate = Number(context.flags['production-rate'] ?? 300);
  const seconds = context.quick ? 2.5 : 10;
  context.log(
    `warm-up, then per phase ${rate} calls/s (direct, in-memory gateway) and ${productionRate} calls/s (production gateway) for ${seconds / 2} s, alternating twice`,
  );
  await pacedSequential(rate, 1, direct);
  await pacedSequential(rate, 1, viaGateway);
  await pacedSequential(productionRate, 1, viaProduction);
  const directUs: number[] = [];
  const gatewayUs: number[] = [];
  const productionUs: number[] = [];
  for (let phase = 0; phase < 2; phase++) {
    directUs.push(...(await pacedSequential(rate, seconds / 2, direct)).latenciesUs);
    gatewayUs.push(...(await pacedSequential(rate, seconds / 2, viaGateway)).latenciesUs);
    productionUs.push(...(await pacedSequential(productionRate, seconds / 2, viaProduction)).latenciesUs);
  }
  const loopSeconds = context.quick ? 1.5 : 5;
  const directRate = await closedLoop(loopSeconds, direct);
  const gatewayRate = await closedLoop(loopSeconds, viaGateway);
  const productionCallsPerSecond = await closedLoop(loopSeconds, viaProduction);
  const postgresUs = (
    await pacedSequential(productionRate, context.quick ? 0.5 : 2, () => production.roundTrip())
  ).latenciesUs;
  await tracerProvider.forceFlush();
  const row = (path: string, latencies: number[], callsPerSecond: number) => ({
    path,
    calls: latencies.length,
    p50_us: quantile(latencies, 0.5),
    p99_us: quantile(latencies, 0.99),
    calls_per_s_back_to_back: round(callsPerSecond, 0),
  });
  context.table('Gateway overhead over a direct in-process provider call (tracing on)', [
    row('direct provider.chat', directUs, directRate),
    row('gateway, in-memory components', gatewayUs, gatewayRate),
    row(
      'gateway, production components (tiktoken, TypeORM/PostgreSQL ledger, Redis reservations + buckets)',
      productionUs,
      productionCallsPerSecond,
    ),
  ]);
  context.log(
    `PostgreSQL SELECT 1 round trip in the same run: p50 ${round(quantile(postgresUs, 0.5), 0)} µs, p99 ${round(quantile(postgresUs, 0.99), 0)} µs`,
  );
  context.log(`spans exported through the batch processor: ${exporter.exported}`);
  await production.close();
  await tracerProvider.shutdown();
  trace.disable();
  const over = (latencies: number[], q: number) =>
    round(Math.max(0, quantile(latencies, q) - quantile(directUs, q)), 1);
  return {
    production_overhead_p50_us: over(productionUs, 0.5),
    production_overhead_p99_us: over(productionUs, 0.99),
    production_calls_per_s: round(productionCallsPerSecond, 0),
    postgres_select1_p50_us: round(quantile(postgresUs, 0.5), 0),
    overhead_p50_us: over(gatewayUs, 0.5),
    overhead_p99_us: over(gatewayUs, 0.99),
    calls_per_s: round(gatewayRate, 0),
  };
}

async function faults(context: ScenarioContext): Promise<Record<string, number>> {
  const latency = { kind: 'normal' as const, meanMs: 20, p99Ms: 60 };
  const primaryServer = await startFakeOpenAiServer({
    latency,
    faults: { serverError: 0.15, rateLimit: 0.1, hang: 0.05 },
    retryAfterSeconds: 1,
    seed: 11,
  });
  const fallbackServer = await startFakeOpenAiServer({ latency, seed: 12 });
  const primary = new OpenAiCompatibleLlmProvider({ baseUrl: primaryServer.url, name: 'primary' });
  const fallback = new OpenAiCompatibleLlmProvider({ baseUrl: fallbackServer.url, name: 'fallback' });
  const gateway = createLlmGateway({
    // Breakers re-test after 2 s (default 10 s): on a shared 2-core host a CPU stall can time out
    // every provider at once, and a long open period would turn one stall into seconds of refusals.
    providers: [
      { provider: primary, breaker: { halfOpenAfterMs: 2_000 } },
      { provider: fallback, breaker: { halfOpenAfterMs: 2_000 } },
    ],
    models: [
      { id: 'gpt-4o-mini', provider: 'primary', tier: 'small', contextWindow: 128_000 },
      { id: 'gpt-4.1-mini', provider: 'fallback', tier: 'small', contextWindow: 128_000 },
    ],
    routes: { small: ['gpt-4o-mini', 'gpt-4.1-mini'], large: [] },
    attemptTimeoutMs: 1_000,
    deadlineMs: 5_000,
    ledger: new MemoryUsageLedger(),
    tokenCounter: new ApproximateTokenCounter(),
  });
  const rate = Number(context.flags['fault-rate'] ?? 50);
  const seconds = context.quick ? 10 : 30;
  context.log(
    `faults: ${rate} calls/s for ${seconds} s, primary failing 30% (500 / 429 Retry-After 1 s / hang)`,
  );
  const byProvider = new Map<string, number>();
  const failures = new Map<string, number>();
  const result = await paced(rate, seconds, async (index) => {
    try {
      const answer = await gateway.chat({
        tenantId: 'bench',
        requestId: `f${index}`,
        messages: [{ role: 'user', content: QUESTIONS[index % QUESTIONS.length] as string }],
      });
      byProvider.set(answer.provider, (byProvider.get(answer.provider) ?? 0) + 1);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'UNKNOWN';
      if (!failures.has(code)) {
        const attempts = (error as { details?: { attempts?: Array<{ provider: string; outcome: string }> } })
          .details?.attempts;
        context.log(
          `first ${code}: ${attempts?.map((a) => `${a.provider}:${a.outcome}`).join(' ') ?? String(error)}`,
        );
      }
      failures.set(code, (failures.get(code) ?? 0) + 1);
      throw error;
    }
  });
  const total = result.latenciesUs.length + result.failures;
  context.table('Answers under 30% faults on the primary', [
    {
      calls: total,
      answered: result.latenciesUs.length,
      by_primary: byProvider.get('primary') ?? 0,
      by_fallback: byProvider.get('fallback') ?? 0,
      p50_ms: quantile(result.latenciesUs, 0.5) / 1000,
      p99_ms: quantile(result.latenciesUs, 0.99) / 1000,
      primary_500: primaryServer.stats.serverErrors,
      primary_429: primaryServer.stats.rateLimited,
      primary_hangs: primaryServer.stats.hangs,
      failures: [...failures].map(([code, count]) => `${code}:${count}`).join(' ') || 'none',
    },
  ]);
  await primary.close();
  await fallback.close();
  await primaryServer.close();
  await fallbackServer.close();
  return {
    answered_ratio_under_faults: round(result.latenciesUs.length / total, 4),
    p99_ms_under_faults: round(quantile(result.latenciesUs, 0.99) / 1000, 1),
  };
}

const scenario: Scenario = {
  name: 'gateway',
  description:
    'Latency the LLM gateway adds over a direct provider call (tracing on), in memory and with the server’s components (tiktoken, PostgreSQL ledger, Redis reservations), and answers under 30% primary faults.',
  async run(context) {
    return { ...(await overhead(context)), ...(await faults(context)) };
  },
};

export default scenario;
