import { metrics, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { METRIC } from '@ai-scale/telemetry';

/** The cache's instruments, created once per cache instance from the given (or global) provider. */
export interface CacheInstruments {
  readonly hits: Counter;
  readonly misses: Counter;
  readonly evictions: Counter;
  readonly lookupDuration: Histogram;
  readonly tokensSaved: Counter;
  readonly costSaved: Counter;
}

export function createCacheInstruments(meterProvider?: MeterProvider): CacheInstruments {
  const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter('@ai-scale/cache');
  return {
    hits: meter.createCounter(METRIC.cacheHits, { description: 'Cache hits, by kind (exact, semantic).' }),
    misses: meter.createCounter(METRIC.cacheMisses, {
      description: 'Cache lookups that found nothing servable.',
    }),
    evictions: meter.createCounter(METRIC.cacheEvictions, {
      description: 'Entries dropped by the size bound before they expired.',
    }),
    lookupDuration: meter.createHistogram(METRIC.cacheLookupDuration, {
      description: 'Duration of a response-cache lookup (exact, then semantic).',
      unit: 's',
    }),
    tokensSaved: meter.createCounter(METRIC.cacheTokensSaved, {
      description: 'Model tokens not spent thanks to cache hits.',
      unit: '{token}',
    }),
    costSaved: meter.createCounter(METRIC.cacheCostSaved, {
      description: 'Model cost not spent thanks to cache hits.',
      unit: 'USD',
    }),
  };
}
