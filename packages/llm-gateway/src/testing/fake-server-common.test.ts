import { deterministicEmbedding, FakeServerState } from './fake-server-common';

describe('FakeServerState', () => {
  const samples = (state: FakeServerState, count = 20_000): number[] =>
    Array.from({ length: count }, () => state.latencyMs()).sort((a, b) => a - b);

  it('draws latencies from the configured distribution, reproducibly per seed', () => {
    expect(new FakeServerState({ latency: { kind: 'fixed', ms: 12 } }).latencyMs()).toBe(12);
    const uniform = samples(new FakeServerState({ latency: { kind: 'uniform', minMs: 10, maxMs: 20 } }));
    expect(uniform[0]).toBeGreaterThanOrEqual(10);
    expect(uniform[uniform.length - 1]).toBeLessThanOrEqual(20);
    const normal = samples(
      new FakeServerState({ latency: { kind: 'normal', meanMs: 100, p99Ms: 300 }, seed: 3 }),
    );
    const p50 = normal[Math.floor(normal.length * 0.5)] as number;
    const p99 = normal[Math.floor(normal.length * 0.99)] as number;
    expect(Math.abs(p50 - 100)).toBeLessThan(10);
    expect(Math.abs(p99 - 300)).toBeLessThan(30);
    expect(
      samples(new FakeServerState({ latency: { kind: 'normal', meanMs: 100, p99Ms: 300 }, seed: 3 })),
    ).toEqual(normal);
  });

  it('injects faults at the configured rates, scripted faults first', () => {
    const state = new FakeServerState({ faults: { rateLimit: 0.1, serverError: 0.2 }, seed: 5 });
    state.injectFaults(['hang', 'malformed']);
    expect([state.nextFault(), state.nextFault()]).toEqual(['hang', 'malformed']);
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const fault = state.nextFault() ?? 'none';
      counts.set(fault, (counts.get(fault) ?? 0) + 1);
    }
    expect(Math.abs((counts.get('rate_limit') ?? 0) - 1_000)).toBeLessThan(150);
    expect(Math.abs((counts.get('server_error') ?? 0) - 2_000)).toBeLessThan(200);
    expect(counts.get('hang')).toBeUndefined();
  });

  it('paces streamed chunks by the token rate', () => {
    expect(new FakeServerState({ tokensPerSecond: 50 }).chunkDelayMs(5)).toBe(100);
    expect(new FakeServerState({}).chunkDelayMs(5)).toBe(0);
  });

  it('embeds deterministically into unit vectors that keep similar texts close', () => {
    const a = deterministicEmbedding('refund policy for annual plans', 64);
    expect(Math.hypot(...a)).toBeCloseTo(1, 9);
    const cosine = (x: number[], y: number[]): number =>
      x.reduce((sum, value, i) => sum + value * (y[i] ?? 0), 0);
    expect(cosine(a, deterministicEmbedding('annual plans refund policy', 64))).toBeGreaterThan(
      cosine(a, deterministicEmbedding('office opening hours in Lyon', 64)),
    );
  });
});
