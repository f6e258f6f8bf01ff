import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { createInMemoryTelemetry, type InMemoryTelemetry } from './testing';
import { ATTR, withSpan } from './index';

class QuotaError extends Error {
  readonly code = 'QUOTA_EXCEEDED';
}

describe('withSpan', () => {
  let telemetry: InMemoryTelemetry;
  const tracer = trace.getTracer('with-span-test');

  beforeEach(() => {
    telemetry = createInMemoryTelemetry();
  });
  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('runs a synchronous function inside an active span and ends it', () => {
    const result = withSpan(tracer, 'sync', (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      return 42;
    });
    expect(result).toBe(42);
    const [span] = telemetry.finishedSpans();
    expect(span).toMatchObject({ name: 'sync', status: { code: 'unset' }, parentSpanId: undefined });
  });

  it('keeps the span active across awaits, so spans started inside are its children', async () => {
    const result = await withSpan(tracer, 'outer', { attributes: { a: 1 } }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return withSpan(tracer, 'inner', async () => 'done');
    });
    expect(result).toBe('done');
    const [inner, outer] = telemetry.finishedSpans();
    expect(inner?.name).toBe('inner');
    expect(outer?.name).toBe('outer');
    expect(outer?.attributes).toEqual({ a: 1 });
    expect(inner?.parentSpanId).toBe(outer?.spanId);
    expect(inner?.traceId).toBe(outer?.traceId);
  });

  it('takes plain attributes in place of options, even one called "kind"', () => {
    withSpan(tracer, 'plain', { kind: 'exact', tenant: 't1' }, () => undefined);
    withSpan(tracer, 'options', { kind: SpanKind.CONSUMER }, () => undefined);
    const [plain, options] = telemetry.finishedSpans();
    expect(plain?.attributes).toEqual({ kind: 'exact', tenant: 't1' });
    expect(plain?.kind).toBe('internal');
    expect(options?.kind).toBe('consumer');
  });

  it('records a synchronous throw: exception event, ERROR status, error.type, rethrown as is', () => {
    const error = new QuotaError('over budget');
    expect(() =>
      withSpan(tracer, 'fails', () => {
        throw error;
      }),
    ).toThrow(error);
    const [span] = telemetry.finishedSpans();
    expect(span?.status).toEqual({ code: 'error', message: 'over budget' });
    expect(span?.attributes[ATTR.errorType]).toBe('QUOTA_EXCEEDED');
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('records an async rejection and uses the class name when there is no code', async () => {
    await expect(
      withSpan(tracer, 'rejects', async () => {
        throw new TypeError('bad');
      }),
    ).rejects.toThrow('bad');
    const [span] = telemetry.finishedSpans();
    expect(span?.status.code).toBe('error');
    expect(span?.attributes[ATTR.errorType]).toBe('TypeError');
  });

  it('keeps a status the function set itself', () => {
    withSpan(tracer, 'ok', (span) => span.setStatus({ code: SpanStatusCode.OK }));
    expect(telemetry.finishedSpans()[0]?.status.code).toBe('ok');
  });

  it('starts a root span on request and honours an explicit parent context', () => {
    withSpan(tracer, 'parent', () => {
      withSpan(tracer, 'detached', { root: true }, () => undefined);
    });
    const [detached, parent] = telemetry.finishedSpans();
    expect(detached?.parentSpanId).toBeUndefined();
    expect(detached?.traceId).not.toBe(parent?.traceId);
  });
});
