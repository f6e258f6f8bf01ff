import { context, propagation, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** A W3C trace-context carrier (`traceparent`, `tracestate`) as it travels inside a job payload. */
export type TraceCarrier = Record<string, string>;

const fallbackPropagator = new W3CTraceContextPropagator();

/**
 * The global propagator when an SDK registered one, W3C trace-context otherwise, so a producer
 * that runs without the SDK (tests, libraries) still writes a `traceparent` when a span is active.
 */
function activePropagator(): typeof fallbackPropagator {
  const fields = propagation.fields();
  return (fields.length > 0 ? propagation : fallbackPropagator) as typeof fallbackPropagator;
}

/** Serialises the active (or given) context into a carrier to store with a queued job. */
export function injectTraceContext(from: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  activePropagator().inject(from, carrier, {
    set: (target, key, value) => {
      target[key] = String(value);
    },
  });
  return carrier;
}

/** Rebuilds the producer's context from a carrier; spans started inside it become its children. */
export function extractTraceContext(
  carrier: TraceCarrier | undefined,
  base: Context = context.active(),
): Context {
  if (!carrier) return base;
  return activePropagator().extract(base, carrier, {
    get: (source, key) => source[key],
    keys: (source) => Object.keys(source),
  });
}

/** Runs `fn` inside the context carried by a job, so the consumer's span continues the producer's trace. */
export function withTraceContext<T>(carrier: TraceCarrier | undefined, fn: () => T): T {
  return context.with(extractTraceContext(carrier), fn);
}
