import type { QueueDepthSample } from './stage-stats';

/** Samples queue depth every `intervalMs` (one call in flight at a time) into a time series. */
export function sampleQueueDepth(
  counts: () => Promise<{ queued: number; active: number }>,
  origin: number,
  intervalMs = 250,
): { readonly samples: QueueDepthSample[]; stop(): Promise<void> } {
  const samples: QueueDepthSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const { queued, active } = await counts();
        samples.push({ t: (performance.now() - origin) / 1000, queued, active });
      } catch {
        // Redis away (the faults scenario): no sample for this tick.
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - started))),
      );
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
