/** One point of the live latency series. */
export interface LatencyPoint {
  readonly minute: string;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const MAX_SAMPLES_PER_MINUTE = 5000;

/**
 * Request latencies of THIS process over the last `windowMinutes`, bucketed by minute, for the live
 * panel (`GET /v1/stats`). Prometheus has the authoritative histograms; this is a cheap local view.
 */
export class RequestStats {
  private readonly buckets = new Map<number, number[]>();

  constructor(private readonly windowMinutes = 15) {}

  record(durationMs: number, now = Date.now()): void {
    const minute = Math.floor(now / 60_000);
    let samples = this.buckets.get(minute);
    if (!samples) {
      samples = [];
      this.buckets.set(minute, samples);
      for (const key of this.buckets.keys()) if (key <= minute - this.windowMinutes) this.buckets.delete(key);
    }
    if (samples.length < MAX_SAMPLES_PER_MINUTE) samples.push(durationMs);
  }

  series(now = Date.now()): LatencyPoint[] {
    const current = Math.floor(now / 60_000);
    return [...this.buckets.entries()]
      .filter(([minute]) => minute > current - this.windowMinutes)
      .sort(([a], [b]) => a - b)
      .map(([minute, samples]) => {
        const sorted = [...samples].sort((a, b) => a - b);
        return {
          minute: new Date(minute * 60_000).toISOString(),
          requests: sorted.length,
          p50Ms: round(percentile(sorted, 0.5)),
          p99Ms: round(percentile(sorted, 0.99)),
        };
      });
  }
}

function percentile(sorted: readonly number[], quantile: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

const round = (value: number): number => Math.round(value * 10) / 10;
