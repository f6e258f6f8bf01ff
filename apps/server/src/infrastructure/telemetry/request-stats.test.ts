import { RequestStats } from './request-stats';

describe('RequestStats', () => {
  it('buckets latencies by minute with p50 and p99, dropping minutes outside the window', () => {
    const stats = new RequestStats(2);
    const start = Date.UTC(2026, 0, 1, 12, 0, 0);
    for (let index = 1; index <= 100; index += 1) stats.record(index, start);
    stats.record(7, start + 60_000);
    expect(stats.series(start + 60_000)).toEqual([
      { minute: new Date(start).toISOString(), requests: 100, p50Ms: 50, p99Ms: 99 },
      { minute: new Date(start + 60_000).toISOString(), requests: 1, p50Ms: 7, p99Ms: 7 },
    ]);
    stats.record(1, start + 180_000);
    expect(stats.series(start + 180_000).map((point) => point.requests)).toEqual([1]);
  });
});
