import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { createLogger, withSpan } from './index';
import { createInMemoryTelemetry, type InMemoryTelemetry } from './testing';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => {
    telemetry = createInMemoryTelemetry();
  });
  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('writes JSON lines carrying the active span ids, and none outside a span', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ name: 'test', destination: stream });
    logger.info('outside');
    await withSpan(trace.getTracer('test'), 'work', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info({ step: 1 }, 'inside');
    });
    const [outside, inside] = lines();
    const span = telemetry.spansNamed('work')[0];
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('span_id');
    expect(inside).toMatchObject({
      msg: 'inside',
      name: 'test',
      level: 'info',
      step: 1,
      trace_id: span?.traceId,
      span_id: span?.spanId,
      trace_flags: '01',
    });
    expect(typeof inside?.time).toBe('string');
  });

  it('redacts authorization headers, API keys and passwords', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ destination: stream, redactPaths: ['secret'] });
    logger.info({
      req: { headers: { authorization: 'Bearer sk-123', 'x-api-key': 'ask_456', accept: 'json' } },
      provider: { apiKey: 'sk-789', name: 'openai' },
      password: 'hunter2',
      secret: 'extra',
    });
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of ['sk-123', 'ask_456', 'sk-789', 'hunter2', 'extra'])
      expect(text).not.toContain(secret);
    expect(line).toMatchObject({
      req: { headers: { authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', accept: 'json' } },
      provider: { apiKey: '[REDACTED]', name: 'openai' },
    });
  });

  it('honours the level option', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ destination: stream, level: 'warn' });
    logger.info('dropped');
    logger.warn('kept');
    expect(lines().map((line) => line.msg)).toEqual(['kept']);
  });
});
