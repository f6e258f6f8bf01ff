import { context, isSpanContextValid, SpanKind, trace } from '@opentelemetry/api';
import { ATTR, extractTraceContext, recordSpanError, type TraceCarrier } from '@ai-scale/telemetry';
import { JobCancelledError, JobTimeoutError } from '../errors';
import type { JobContext, JobErrorInfo, JobHandlers, JobProgress } from '../ports';
import { JOB_NO_HANDLER, toErrorInfo } from './errors';
import { jsonIssue } from './options';
import type { QueueTelemetry } from './telemetry';

/** The abort reason of a worker's shutdown deadline: the job is handed back, not failed. */
export const SHUTDOWN = Symbol('ai-scale.queue.shutdown');

export interface AttemptJob {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  readonly tenantId: string | undefined;
  /** 1-based. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number | undefined;
  readonly traceCarrier: TraceCarrier | undefined;
  /** Epoch ms the job became ready; only set on the first attempt (wait time is measured once). */
  readonly readySince: number | undefined;
  /** Where `updateProgress` goes (the adapter's job object: no closure per job). */
  readonly progressSink: { updateProgress(progress: JobProgress): Promise<void> };
}

export type AttemptOutcome =
  | { readonly kind: 'completed'; readonly result: unknown }
  | { readonly kind: 'failed'; readonly error: JobErrorInfo; readonly willRetry: boolean }
  | { readonly kind: 'handed-back' }
  | { readonly kind: 'cancelled' };

/**
 * The abort side of one attempt. The `AbortSignal` is only created when the handler reads it (most
 * handlers of short jobs never do): allocating one per job is a measurable share of a no-op job.
 */
export class AttemptControl {
  private controller: AbortController | undefined;
  private listener: ((reason: unknown) => void) | undefined;
  private abortedWith: { reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Aborts the handler's signal, then decides the attempt (see `runAttempt`). Only the first call counts. */
  abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  onAbort(listener: (reason: unknown) => void): void {
    this.listener = listener;
  }
}

/**
 * Runs one attempt of one job, the same way in every adapter: the `process {queue}` span continues
 * the producer's trace; the attempt ends with the handler, its timeout or the worker's shutdown
 * (`control` aborted with {@link SHUTDOWN}), whichever comes first; a handler that ignores its
 * signal keeps running in the background but can no longer change the job.
 */
export function runAttempt(
  handlers: JobHandlers,
  job: AttemptJob,
  control: AttemptControl,
  telemetry: QueueTelemetry,
): Promise<AttemptOutcome> {
  const attributes = telemetry.jobAttributes(job.name, job.tenantId);
  if (job.readySince !== undefined) telemetry.recordWait((Date.now() - job.readySince) / 1000, attributes);
  const parent = extractTraceContext(job.traceCarrier);
  const span = telemetry.tracer.startSpan(
    telemetry.processSpanName,
    { kind: SpanKind.CONSUMER, attributes: telemetry.processSpanAttributes },
    parent,
  );
  const started = performance.now();
  let settled: Promise<AttemptOutcome>;
  if (isSpanContextValid(span.spanContext())) {
    if (span.isRecording()) {
      span.setAttributes(attributes);
      span.setAttribute(ATTR.jobId, job.id);
      span.setAttribute(ATTR.jobAttempt, job.attempt);
    }
    // The handler runs inside the span, so its own spans (LLM calls, queries) are children of it.
    settled = context.with(trace.setSpan(parent, span), () => settle(handlers, job, control));
  } else {
    // No tracing at all (no SDK, no producer trace): skip the context switch, the hot path of a no-op job.
    settled = settle(handlers, job, control);
  }
  return settled.then((outcome) => {
    telemetry.recordProcess(
      (performance.now() - started) / 1000,
      attributes,
      outcome.kind === 'failed' ? outcome.error.code : undefined,
    );
    if (outcome.kind === 'completed') {
      telemetry.recordCompleted(attributes);
    } else if (outcome.kind === 'failed') {
      span.setAttribute(ATTR.jobState, outcome.willRetry ? 'delayed' : 'failed');
      recordSpanError(span, Object.assign(new Error(outcome.error.message), { code: outcome.error.code }));
      telemetry.recordFailedAttempt(attributes, outcome.error.code);
      if (outcome.willRetry) telemetry.recordRetried(attributes);
      else telemetry.recordDeadLettered(attributes);
    } else if (outcome.kind === 'cancelled') {
      span.setAttribute(ATTR.jobState, 'cancelled');
    } else {
      span.setAttribute(ATTR.jobState, 'queued');
    }
    span.end();
    return outcome;
  });
}

const HANDED_BACK: AttemptOutcome = { kind: 'handed-back' };
const CANCELLED: AttemptOutcome = { kind: 'cancelled' };

function failedOutcome(job: AttemptJob, error: JobErrorInfo): AttemptOutcome {
  return { kind: 'failed', error, willRetry: error.retryable && job.attempt < job.maxAttempts };
}

function abortOutcome(job: AttemptJob, reason: unknown): AttemptOutcome {
  if (reason === SHUTDOWN) return HANDED_BACK;
  if (reason instanceof JobCancelledError) return CANCELLED;
  return failedOutcome(job, toErrorInfo(reason));
}

function settle(handlers: JobHandlers, job: AttemptJob, control: AttemptControl): Promise<AttemptOutcome> {
  const handler = handlers[job.name];
  if (!handler) {
    return Promise.resolve(
      failedOutcome(job, {
        code: JOB_NO_HANDLER,
        message: `no handler for job "${job.name}"`,
        retryable: false,
      }),
    );
  }
  if (control.aborted) return Promise.resolve(abortOutcome(job, control.reason));
  return new Promise<AttemptOutcome>((resolve) => new HandlerRun(job, control, resolve).start(handler));
}

/**
 * One handler call, and the `JobContext` the handler sees (one object per attempt, its methods on
 * the prototype: this path runs for every job). The first of the handler's outcome, the timeout
 * and the shutdown abort decides the attempt.
 */
class HandlerRun implements JobContext {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  readonly tenantId: string | undefined;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly #job: AttemptJob;
  readonly #control: AttemptControl;
  readonly #resolve: (outcome: AttemptOutcome) => void;
  #done = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(job: AttemptJob, control: AttemptControl, resolve: (outcome: AttemptOutcome) => void) {
    this.id = job.id;
    this.name = job.name;
    this.payload = job.payload;
    this.tenantId = job.tenantId;
    this.attempt = job.attempt;
    this.maxAttempts = job.maxAttempts;
    this.#job = job;
    this.#control = control;
    this.#resolve = resolve;
  }

  get signal(): AbortSignal {
    return this.#control.signal;
  }

  /** A getter returning a bound function, so `({ updateProgress }) => …` destructuring works. */
  get updateProgress(): (progress: JobProgress) => Promise<void> {
    const sink = this.#job.progressSink;
    return (progress) => {
      const issue = jsonIssue(progress, 'progress');
      if (issue) return Promise.reject(new TypeError(issue));
      return sink.updateProgress(progress);
    };
  }

  start(handler: JobHandlers[string]): void {
    const job = this.#job;
    this.#control.onAbort((reason) => this.#finish(abortOutcome(job, reason)));
    if (job.timeoutMs !== undefined) {
      const timeoutMs = job.timeoutMs;
      this.#timer = setTimeout(() => this.#control.abort(new JobTimeoutError(job.id, timeoutMs)), timeoutMs);
    }
    let running: Promise<unknown>;
    try {
      const value: unknown = handler(this);
      running = value instanceof Promise ? value : Promise.resolve(value);
    } catch (error) {
      running = Promise.reject(error);
    }
    // After an abort decided the attempt, whatever the handler does later is ignored (and never unhandled).
    running.then(
      (value) => {
        const issue = value === undefined ? undefined : jsonIssue(value, 'result');
        this.#finish(
          issue
            ? failedOutcome(job, { code: 'JOB_INVALID_RESULT', message: issue, retryable: false })
            : { kind: 'completed', result: value },
        );
      },
      (error: unknown) =>
        this.#finish(
          this.#control.aborted
            ? abortOutcome(job, this.#control.reason)
            : failedOutcome(job, toErrorInfo(error)),
        ),
    );
  }

  #finish(outcome: AttemptOutcome): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#resolve(outcome);
  }
}
