import { context, metrics, trace } from '@opentelemetry/api';
import { extractTraceContext, injectTraceContext, SPAN, withSpan } from '../index';
import { createInMemoryTelemetry } from './index';

describe('createInMemoryTelemetry', () => {
  it('collects counters, histograms and gauges with their attributes', async () => {
    const telemetry = createInMemoryTelemetry();
    try {
      const meter = metrics.getMeter('test');
      const failed = meter.createCounter('queue.jobs.failed');
      const duration = meter.createHistogram('queue.process.duration', { unit: 's' });
      const depth = meter.createUpDownCounter('queue.depth');
      failed.add(1, { queue: 'a' });
      failed.add(2, { queue: 'b' });
      duration.record(0.5, { queue: 'a' });
      duration.record(1.5, { queue: 'a' });
      depth.add(3);

      const collected = await telemetry.collectMetrics();
      expect(collected.get('queue.jobs.failed')).toEqual(
        expect.arrayContaining([
          { attributes: { queue: 'a' }, value: 1 },
          { attributes: { queue: 'b' }, value: 2 },
        ]),
      );
      expect(collected.get('queue.process.duration')?.[0]?.histogram).toMatchObject({
        count: 2,
        sum: 2,
        min: 0.5,
        max: 1.5,
      });
      expect(await telemetry.metricValue('queue.jobs.failed')).toBe(3);
      expect(await telemetry.metricValue('queue.jobs.failed', { queue: 'b' })).toBe(2);
      expect(await telemetry.metricValue('queue.jobs.failed', { queue: 'zzz' })).toBeUndefined();
      expect(await telemetry.metricValue('queue.process.duration', { queue: 'a' })).toBe(2);
      expect(await telemetry.metricValue('queue.depth')).toBe(3);
      expect(await telemetry.metricValue('never.recorded')).toBeUndefined();
    } finally {
      await telemetry.shutdown();
    }
  });

  it('reset() forgets spans and counts metrics from zero again', async () => {
    const telemetry = createInMemoryTelemetry();
    try {
      const counter = metrics.getMeter('test').createCounter('cache.hits');
      counter.add(5, { kind: 'exact' });
      withSpan(trace.getTracer('test'), 'before', () => undefined);
      await telemetry.reset();
      expect(telemetry.finishedSpans()).toEqual([]);
      expect(await telemetry.metricValue('cache.hits')).toBeUndefined();
      counter.add(1, { kind: 'exact' });
      expect(await telemetry.metricValue('cache.hits', { kind: 'exact' })).toBe(1);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('links a consumer span to its producer across a serialised hop', async () => {
    const telemetry = createInMemoryTelemetry();
    try {
      const tracer = trace.getTracer('queue');
      const payload = withSpan(tracer, SPAN.queueSend('ingest'), () =>
        JSON.stringify({ data: 1, trace: injectTraceContext() }),
      );
      // The consumer runs later, with no active context of its own.
      await new Promise((resolve) => setImmediate(resolve));
      const job = JSON.parse(payload) as { trace: Record<string, string> };
      withSpan(
        tracer,
        SPAN.queueProcess('ingest'),
        { context: extractTraceContext(job.trace) },
        () => undefined,
      );
      const producer = telemetry.spansNamed(SPAN.queueSend('ingest'))[0];
      const consumer = telemetry.spansNamed(SPAN.queueProcess('ingest'))[0];
      expect(consumer?.traceId).toBe(producer?.traceId);
      expect(consumer?.parentSpanId).toBe(producer?.spanId);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('shutdown() unregisters the globals, and a second instance works afterwards', async () => {
    const first = createInMemoryTelemetry();
    await first.shutdown();
    await first.shutdown(); // idempotent
    withSpan(trace.getTracer('test'), 'unrecorded', () => undefined);
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(context.active()).toBe(context.active());
    expect(first.finishedSpans()).toEqual([]);

    const second = createInMemoryTelemetry();
    try {
      withSpan(trace.getTracer('test'), 'recorded', () => undefined);
      expect(second.finishedSpans().map((span) => span.name)).toEqual(['recorded']);
    } finally {
      await second.shutdown();
    }
  });
});
