import {
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';

/**
 * A tracer provider that forwards every call to whichever provider is current *at call time*.
 *
 * Why: `@opentelemetry/api` tracers cache the first real tracer they meet, so code that took a
 * tracer once (at module load, in a constructor) would keep writing to the provider of the first
 * `createInMemoryTelemetry()` after it was shut down. Registering this one object instead, and
 * swapping what it forwards to, lets several in-memory instances follow one another in one file.
 */
export class ForwardingTracerProvider implements TracerProvider {
  private current: TracerProvider | undefined;

  setCurrent(provider: TracerProvider | undefined): void {
    this.current = provider;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new ForwardingTracer(() =>
      (this.current ?? trace.getTracerProvider()).getTracer(name, version, options),
    );
  }
}

class ForwardingTracer implements Tracer {
  constructor(private readonly resolve: () => Tracer) {}

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    return this.resolve().startSpan(name, options, context);
  }

  startActiveSpan: Tracer['startActiveSpan'] = (...args: unknown[]) => {
    const tracer = this.resolve();
    return Reflect.apply(tracer.startActiveSpan, tracer, args) as never;
  };
}

const KEY = Symbol.for('ai-scale.telemetry.testing.forwarding-tracer-provider');

/** One forwarding provider per realm (jest gives each test file its own global object). */
export function sharedForwardingTracerProvider(): ForwardingTracerProvider {
  const holder = globalThis as unknown as Record<symbol, ForwardingTracerProvider | undefined>;
  holder[KEY] ??= new ForwardingTracerProvider();
  return holder[KEY];
}
