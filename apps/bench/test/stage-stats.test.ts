import {
  depthOver,
  modelCallsSavedRatio,
  summarizeStage,
  throughputBound,
  type RequestSample,
} from '../src/system/stage-stats';

describe('summarizeStage', () => {
  it('computes nearest-rank percentiles, throughput against the bound, errors by kind and cost', () => {
    const samples: RequestSample[] = [];
    for (let i = 0; i < 100; i++)
      samples.push({
        startedAt: i * 10,
        acceptMs: i + 1,
        e2eMs: 1000 + i,
        jobMs: 900,
        costUsd: 0.001,
        cacheHit: i < 10,
      });
    samples.push({ startedAt: 5, error: 'http_503' });
    samples.push({ startedAt: 6, acceptMs: 3, error: 'job_failed:PROVIDER_ERROR' });
    samples.push({ startedAt: 7, error: 'http_503' });
    const figures = summarizeStage(samples, { boundPerSecond: 100 });
    expect(figures.requests).toBe(103);
    expect(figures.answered).toBe(100);
    expect(figures.errors).toBe(3);
    expect(figures.errorKinds).toEqual({ http_503: 2, 'job_failed:PROVIDER_ERROR': 1 });
    // 101 accept samples: 1..100 and 3.
    expect(figures.accept_p50_ms).toBe(50);
    expect(figures.accept_p99_ms).toBe(99);
    expect(figures.e2e_p50_ms).toBe(1049);
    expect(figures.e2e_p99_ms).toBe(1098);
    // First request at 0, last answer at 990 + 1099 ms: 100 answers in 2.089 s.
    expect(figures.throughput_per_s).toBeCloseTo(100 / 2.089, 1);
    expect(figures.throughput_ratio).toBeCloseTo(100 / 2.089 / 100, 2);
    expect(figures.cache_hits).toBe(10);
    expect(figures.cost_usd).toBeCloseTo(0.1);
  });

  it('prices the answers tokens at a list price', () => {
    const figures = summarizeStage(
      [
        { startedAt: 0, e2eMs: 10, tokens: { prompt: 1_000_000, completion: 0 } },
        { startedAt: 0, e2eMs: 10, tokens: { prompt: 0, completion: 500_000 } },
        { startedAt: 0, e2eMs: 10, cacheHit: true, tokens: { prompt: 0, completion: 0 } },
      ],
      { boundPerSecond: 1, listPrice: { prompt: 0.15, completion: 0.6 } },
    );
    expect(figures.list_cost_usd).toBeCloseTo(0.15 + 0.3);
    expect(summarizeStage([{ startedAt: 0, e2eMs: 1 }], { boundPerSecond: 1 }).list_cost_usd).toBe(0);
  });

  it('reports NaN percentiles and zero throughput when nothing was answered', () => {
    const figures = summarizeStage([{ startedAt: 0, error: 'UND_ERR_SOCKET' }], { boundPerSecond: 10 });
    expect(figures.e2e_p99_ms).toBeNaN();
    expect(figures.accept_p50_ms).toBeNaN();
    expect(figures.throughput_per_s).toBe(0);
    expect(figures.errors).toBe(1);
  });
});

describe('helpers', () => {
  it('bounds throughput by workers × concurrency ÷ model latency', () => {
    expect(throughputBound(2, 50, 800)).toBe(125);
  });

  it('computes the share of answers that needed no model call', () => {
    expect(modelCallsSavedRatio(30, 100)).toBe(0.7);
    expect(modelCallsSavedRatio(120, 100)).toBe(0);
    expect(modelCallsSavedRatio(5, 0)).toBe(0);
  });

  it('summarises queue depth inside a time window', () => {
    const samples = [
      { t: 0, queued: 0, active: 0 },
      { t: 1, queued: 10, active: 4 },
      { t: 2, queued: 20, active: 4 },
      { t: 3, queued: 90, active: 4 },
    ];
    expect(depthOver(samples, 1, 2)).toEqual({ max: 20, mean: 15 });
    expect(depthOver(samples, 5, 6)).toEqual({ max: 0, mean: 0 });
  });
});
