import {
  failureKind,
  jobDurationMs,
  lastSnapshot,
  runClosedLoop,
  runOpenLoop,
} from '../src/system/api-client';

describe('lastSnapshot', () => {
  it('returns the data of the last snapshot event of an SSE body', () => {
    const body = [
      ': connected',
      'event: snapshot\ndata: {"state":"queued","result":null,"error":null}',
      'event: active\ndata: {"type":"active"}',
      'event: completed\ndata: {"type":"completed"}',
      'event: snapshot\ndata: {"state":"completed","result":{"cache":"exact"},"error":null}',
      '',
    ].join('\n\n');
    expect(lastSnapshot(body)).toEqual({ state: 'completed', result: { cache: 'exact' }, error: null });
    expect(lastSnapshot(': connected\n\n')).toBeUndefined();
  });
});

describe('helpers', () => {
  it('measures a job from its view and labels failures', () => {
    expect(
      jobDurationMs({
        state: 'completed',
        result: null,
        error: null,
        createdAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:01.250Z',
      }),
    ).toBe(1250);
    expect(jobDurationMs({ state: 'active', result: null, error: null, finishedAt: null })).toBeUndefined();
    expect(failureKind(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(failureKind(new TypeError('x'))).toBe('TypeError');
  });
});

describe('load loops', () => {
  it('closed loop: each client sends its next request only after the previous one', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const samples = await runClosedLoop({
      clients: 3,
      durationMs: 30,
      request: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return { startedAt: performance.now(), e2eMs: 1 };
      },
    });
    expect(maxInFlight).toBe(3);
    expect(samples.length).toBeGreaterThanOrEqual(3);
  });

  it('open loop: sends until aborted, whether or not earlier requests are answered', async () => {
    const controller = new AbortController();
    const releases: Array<() => void> = [];
    const done = runOpenLoop({
      ratePerSecond: 1000,
      signal: controller.signal,
      request: () =>
        new Promise((resolve) => {
          releases.push(() => resolve({ startedAt: 0, e2eMs: 1 }));
          if (releases.length === 5) controller.abort();
        }),
    });
    // Five requests were sent although none was answered yet.
    await new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
    expect(releases).toHaveLength(5);
    releases.forEach((release) => release());
    await expect(done).resolves.toHaveLength(5);
  });
});
