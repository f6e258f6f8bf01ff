import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { metrics, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  extractTraceContext,
  injectTraceContext,
  METRIC,
  metricOptions,
  SPAN,
  TelemetryError,
  withSpan,
} from '../index';
import {
  InvalidTelemetryConfigError,
  startTelemetry,
  TelemetryAlreadyStartedError,
  type TelemetryHandle,
} from './index';
import { toFinishedSpan } from '../testing';

const execFileAsync = promisify(execFile);
const base = { serviceName: 'telemetry-test', instrumentations: { http: false, undici: false } };

describe('startTelemetry', () => {
  let handle: TelemetryHandle | undefined;
  afterEach(async () => {
    await handle?.shutdown();
    handle = undefined;
  });

  function start(extra: Partial<Parameters<typeof startTelemetry>[0]> = {}) {
    const exporter = new InMemorySpanExporter();
    handle = startTelemetry({ ...base, ...extra }, { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    return { handle, spans: () => exporter.getFinishedSpans() };
  }

  it('exports spans with their parent/child links and the service resource', async () => {
    const { spans } = start({ serviceVersion: '1.2.3', environment: 'test' });
    const tracer = trace.getTracer('test');
    await withSpan(tracer, 'parent', async () => {
      await withSpan(tracer, 'child', async () => undefined);
    });
    const [child, parent] = spans();
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
    expect(parent?.resource.attributes).toMatchObject({
      'service.name': 'telemetry-test',
      'service.version': '1.2.3',
      'deployment.environment.name': 'test',
    });
  });

  it('serves metrics recorded through the API as Prometheus text, with unit suffixes and _total', async () => {
    const { handle: started } = start();
    const meter = metrics.getMeter('@ai-scale/queue');
    meter
      .createCounter(METRIC.queueJobsFailed, metricOptions(METRIC.queueJobsFailed))
      .add(2, { queue: 'ingest' });
    meter
      .createHistogram(METRIC.queueWaitDuration, metricOptions(METRIC.queueWaitDuration))
      .record(0.25, { queue: 'ingest' });
    metrics
      .getMeter('@ai-scale/llm-gateway')
      .createCounter(METRIC.llmCost, metricOptions(METRIC.llmCost))
      .add(0.5);

    const text = await started.prometheusHandler!.render();
    expect(text).toMatch(
      /^ai_scale_queue_jobs_failed_total\{queue="ingest",otel_scope_name="@ai-scale\/queue"\} 2$/m,
    );
    expect(text).toMatch(/^# TYPE ai_scale_queue_wait_duration_seconds histogram$/m);
    expect(text).toMatch(
      /^ai_scale_queue_wait_duration_seconds_count\{queue="ingest",otel_scope_name="@ai-scale\/queue"\} 1$/m,
    );
    // Seconds histograms get second-sized buckets, not the SDK's millisecond defaults.
    expect(text).toMatch(
      /^ai_scale_queue_wait_duration_seconds_bucket\{queue="ingest",otel_scope_name="@ai-scale\/queue",le="0.1"\} 0$/m,
    );
    expect(text).toMatch(
      /^ai_scale_queue_wait_duration_seconds_bucket\{queue="ingest",otel_scope_name="@ai-scale\/queue",le="0.25"\} 1$/m,
    );
    expect(text).toMatch(/^ai_scale_llm_cost_usd_total\{otel_scope_name="@ai-scale\/llm-gateway"\} 0.5$/m);
    expect(started.prometheusHandler!.contentType).toContain('text/plain');
  });

  it('keeps one owner per metric family: the catalogue owner, else the first meter', async () => {
    const { handle: started } = start();
    metrics.getMeter('@ai-scale/cache').createCounter(METRIC.cacheHits).add(1);
    metrics.getMeter('impostor').createCounter(METRIC.cacheHits).add(5);
    metrics.getMeter('first').createCounter('uncatalogued.thing').add(2);
    metrics.getMeter('second').createCounter('uncatalogued.thing').add(3);
    const text = await started.prometheusHandler!.render();
    expect(text.match(/^# HELP ai_scale_cache_hits_total /gm)).toHaveLength(1);
    expect(text).toMatch(/^ai_scale_cache_hits_total\{otel_scope_name="@ai-scale\/cache"\} 1$/m);
    expect(text.match(/^# HELP uncatalogued_thing_total /gm)).toHaveLength(1);
    expect(text).toMatch(/^uncatalogued_thing_total\{otel_scope_name="first"\} 2$/m);
    expect(text).not.toMatch(/otel_scope_name="(impostor|second)"/);
  });

  it('answers a plain Node HTTP request with the exposition text', async () => {
    const { handle: started } = start();
    metrics.getMeter('test').createCounter('test.hits').add(1, { kind: 'exact' });
    const server = createServer((request, response) => started.prometheusHandler!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('version=0.0.4');
      expect(await response.text()).toMatch(/^test_hits_total\{kind="exact",otel_scope_name="test"\} 1$/m);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('has no Prometheus handler when Prometheus is disabled', () => {
    const { handle: started } = start({ prometheus: { enabled: false } });
    expect(started.prometheusHandler).toBeUndefined();
  });

  it('continues a trace across a simulated queue hop (inject at the producer, extract at the consumer)', () => {
    const { spans } = start();
    const tracer = trace.getTracer('queue');
    const stored = withSpan(tracer, SPAN.queueSend('ingest'), () =>
      JSON.stringify({ trace: injectTraceContext() }),
    );
    const job = JSON.parse(stored) as { trace: Record<string, string> };
    expect(job.trace.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    withSpan(
      tracer,
      SPAN.queueProcess('ingest'),
      { context: extractTraceContext(job.trace) },
      () => undefined,
    );
    const [producer, consumer] = spans().map(toFinishedSpan);
    expect(consumer?.traceId).toBe(producer?.traceId);
    expect(consumer?.parentSpanId).toBe(producer?.spanId);
  });

  it('samples roots by ratio and follows a sampled parent (ratio 0)', () => {
    const { spans } = start({ samplingRatio: 0 });
    const tracer = trace.getTracer('test');
    withSpan(tracer, 'unsampled-root', () => undefined);
    const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    withSpan(tracer, 'sampled-child', { context: extractTraceContext(carrier) }, () => undefined);
    expect(spans().map((span) => span.name)).toEqual(['sampled-child']);
    expect(spans()[0]?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('pushes spans and metrics over OTLP/HTTP when an endpoint is set (local collector stand-in, child process)', async () => {
    const received: { path: string; body: string }[] = [];
    const collector = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('latin1') });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      const child = join(__dirname, '__fixtures__', 'otlp-export.child.cjs');
      await execFileAsync(process.execPath, [child, `http://127.0.0.1:${port}/`], { timeout: 20_000 });
      const paths = received.map((request) => request.path);
      expect(paths).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
      expect(received.find((request) => request.path === '/v1/traces')?.body).toContain('exported-over-otlp');
      expect(received.find((request) => request.path === '/v1/metrics')?.body).toContain(
        METRIC.genAiClientTokenUsage,
      );
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });

  it('instruments http (server) and undici (fetch) in a real process, skipping /metrics, and logs carry the request span (child process)', async () => {
    const child = join(__dirname, '__fixtures__', 'http-instrumentation.child.cjs');
    const { stdout } = await execFileAsync(process.execPath, [child], { timeout: 20_000 });
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      lines: Record<string, unknown>[];
      prometheus: string;
    };
    const hello = report.lines.find((line) => line.url === '/hello');
    const scrape = report.lines.find((line) => line.url === '/metrics');
    expect(hello?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(scrape).toBeDefined();
    expect(scrape).not.toHaveProperty('trace_id'); // ignored path: no span
    // The server family belongs to the app (it knows the route): the instrumentation's copy is dropped.
    expect(report.prometheus).not.toMatch(/^http_server_request_duration/m);
    expect(report.prometheus).toMatch(
      /^http_client_request_duration_seconds_count\{[^}]*instrumentation-undici[^}]*\} 2$/m,
    );
    expect(report.prometheus).not.toMatch(/otel_scope_name="@opentelemetry\/instrumentation-http"/);
  });

  it('rejects a bad configuration naming every bad field', () => {
    let caught: unknown;
    try {
      startTelemetry({ serviceName: '', samplingRatio: 2, otlpEndpoint: 'ftp://collector:4318' } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidTelemetryConfigError);
    expect(TelemetryError.isInstance(caught)).toBe(true);
    const issues = (caught as InvalidTelemetryConfigError).issues.join('\n');
    expect(issues).toMatch(/serviceName/);
    expect(issues).toMatch(/samplingRatio/);
    expect(issues).toMatch(/otlpEndpoint/);
  });

  it('refuses a second start while running, shuts down idempotently, and can start again', async () => {
    const first = start().handle;
    expect(() => startTelemetry(base)).toThrow(TelemetryAlreadyStartedError);
    await Promise.all([first.shutdown(), first.shutdown()]);
    withSpan(trace.getTracer('test'), 'after-shutdown', () => {
      expect(trace.getActiveSpan()?.isRecording() ?? false).toBe(false);
    });
    const { spans } = start();
    withSpan(trace.getTracer('test'), 'second-life', () => undefined);
    expect(spans().map((span) => span.name)).toEqual(['second-life']);
  });
});
