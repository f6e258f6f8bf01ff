/**
 * Scenario `gateway`: what @ai-scale/llm-gateway costs and what it saves.
 *
 * 1. Overhead: the same in-process fake provider (no latency) called directly and through the
 *    gateway (routing, token bound, breaker, bulkhead, RPM/TPM buckets, cost, memory ledger, spans),
 *    paced at a fixed rate (2,000 calls/s by default, `--rate N`), one call at a time, with tracing
 *    ON (a real BasicTracerProvider + BatchSpanProcessor + an exporter that drops the batches).
 *    Phases alternate direct/gateway so drift hits both; overhead = gateway − direct per percentile.
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
    tokenCounter: new ApproximateTokenCounter(),
  });
  const direct = (index: number): Promise<unknown> =>
    provider.chat({
      model: 'fake-small',
      messages: [{ role: 'user', content: QUESTIONS[index % QUESTIONS.length] as string }],
    });
  const viaGateway = (index: number): Promise<unknown> =>
    gateway.chat({
      tenantId: 'bench',
      requestId: `r${index}`,
      messages: [{ role: 'user', content: QUESTIONS[index % QUESTIONS.length] as string }],
    } satisfies GatewayChatRequest);

  const rate = Number(context.flags.rate ?? 2_000);
  const seconds = context.quick ? 2.5 : 10;
  context.log(
    `warm-up, then ${rate} calls/s for ${seconds} s per phase, direct and gateway alternating twice`,
  );
  await pacedSequential(rate, 1, direct);
  await pacedSequential(rate, 1, viaGateway);
  const directUs: number[] = [];
  const gatewayUs: number[] = [];
  let gatewayRate = 0;
  for (let phase = 0; phase < 2; phase++) {
    directUs.push(...(await pacedSequential(rate, seconds / 2, direct)).latenciesUs);
    const measured = await pacedSequential(rate, seconds / 2, viaGateway);
    gatewayUs.push(...measured.latenciesUs);
    gatewayRate += measured.callsPerSecond / 2;
  }
  await tracerProvider.forceFlush();
  const rows = [
    {
      path: 'direct provider.chat',
      calls: directUs.length,
      p50_us: quantile(directUs, 0.5),
      p99_us: quantile(directUs, 0.99),
    },
    {
      path: 'gateway.chat (tracing on)',
      calls: gatewayUs.length,
      p50_us: quantile(gatewayUs, 0.5),
      p99_us: quantile(gatewayUs, 0.99),
    },
  ];
  context.table('Gateway overhead over a direct in-process provider call', rows);
  context.log(`spans exported through the batch processor: ${exporter.exported}`);
  await tracerProvider.shutdown();
  trace.disable();
  return {
    overhead_p50_us: round(Math.max(0, quantile(gatewayUs, 0.5) - quantile(directUs, 0.5)), 1),
    overhead_p99_us: round(Math.max(0, quantile(gatewayUs, 0.99) - quantile(directUs, 0.99)), 1),
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
      { id: 'fallback-small', provider: 'fallback', tier: 'small', contextWindow: 128_000 },
    ],
    routes: { small: ['gpt-4o-mini', 'fallback-small'], large: [] },
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
    'Latency the LLM gateway adds over a direct provider call (tracing on), and answers under 30% primary faults.',
  async run(context) {
    return { ...(await overhead(context)), ...(await faults(context)) };
  },
};

export default scenario;
