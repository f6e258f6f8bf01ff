import {
  context as contextApi,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR } from './names';

/** What `withSpan` accepts besides the span name; all optional. */
export interface WithSpanOptions {
  readonly attributes?: Attributes;
  readonly kind?: SpanKind;
  readonly links?: Link[];
  /** Start a new trace even when a span is active. */
  readonly root?: boolean;
  /** Parent context; defaults to the active one (e.g. pass `extractTraceContext(job.trace)`). */
  readonly context?: Context;
}

/**
 * The value of `error.type` for a thrown value: the stable `code` of an ai-scale error (or any error
 * carrying a string `code`), else the error's class name, else `'_OTHER'` as the semantic conventions say.
 */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    if (error instanceof Error) return error.name || error.constructor.name;
  }
  return '_OTHER';
}

/** Marks a span as failed: records the exception, sets status ERROR and `error.type`. */
export function recordSpanError(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
  } else {
    span.recordException({ name: 'NonError', message: String(error) });
  }
  span.setAttribute(ATTR.errorType, errorType(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs `fn` inside a new active span named `name` and always ends it.
 *
 * - Spans started inside `fn` (also after `await`) are its children, because it is the active span.
 * - If `fn` throws or its promise rejects, the exception is recorded, the status is ERROR with the
 *   message, `error.type` is set (see {@link errorType}), and the same error is rethrown unchanged.
 * - A status set by `fn` itself is kept on success; nothing is set otherwise (UNSET, as the
 *   conventions want for instrumentation libraries).
 *
 * Works with a no-op tracer (SDK not started): `fn` still runs, nothing is recorded.
 */
export function withSpan<T>(tracer: Tracer, name: string, fn: (span: Span) => T): T;
export function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: WithSpanOptions | Attributes | undefined,
  fn: (span: Span) => T,
): T;
export function withSpan<T>(
  tracer: Tracer,
  name: string,
  optionsOrFn: WithSpanOptions | Attributes | undefined | ((span: Span) => T),
  maybeFn?: (span: Span) => T,
): T {
  const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
  if (!fn) throw new TypeError('withSpan: missing the function to run');
  const options = normaliseOptions(typeof optionsOrFn === 'function' ? undefined : optionsOrFn);
  const parent = options.context ?? contextApi.active();
  const span = tracer.startSpan(
    name,
    { attributes: options.attributes, kind: options.kind, links: options.links, root: options.root },
    parent,
  );
  return contextApi.with(trace.setSpan(parent, span), () => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      recordSpanError(span, error);
      span.end();
      throw error;
    }
    if (isPromiseLike(result)) {
      // Chain on the promise so the span ends when the work does, and hand back a promise that
      // settles the same way (same value, same error).
      return Promise.resolve(result).then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          recordSpanError(span, error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

const OPTION_CHECKS: Record<keyof WithSpanOptions, (value: unknown) => boolean> = {
  attributes: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  kind: (value) => typeof value === 'number',
  links: (value) => Array.isArray(value) && value.every((link) => typeof link === 'object'),
  root: (value) => typeof value === 'boolean',
  context: (value) =>
    typeof value === 'object' && value !== null && typeof (value as Context).getValue === 'function',
};

/**
 * Plain attributes are accepted in place of options: `withSpan(tracer, 'x', { a: 1 }, fn)`. An object
 * counts as options only when every key is an option with a value of the option's type, so an
 * attribute that happens to be called `kind` (`{ kind: 'exact' }`) stays an attribute.
 */
function normaliseOptions(value: WithSpanOptions | Attributes | undefined): WithSpanOptions {
  if (!value) return {};
  const entries = Object.entries(value);
  const looksLikeOptions =
    entries.length > 0 &&
    entries.every(([key, entry]) => {
      const check = OPTION_CHECKS[key as keyof WithSpanOptions] as ((v: unknown) => boolean) | undefined;
      return check !== undefined && check(entry);
    });
  return looksLikeOptions ? (value as WithSpanOptions) : { attributes: value as Attributes };
}
