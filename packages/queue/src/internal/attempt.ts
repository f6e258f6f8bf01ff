import { SpanKind } from '@opentelemetry/api';
import {
  ATTR,
  extractTraceContext,
  recordSpanError,
  SPAN,
  withSpan,
  type TraceCarrier,
} from '@ai-scale/telemetry';
import { JobTimeoutError } from '../errors';
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
  updateProgress(progress: JobProgress): Promise<void>;
}

export type AttemptOutcome =
  | { readonly kind: 'completed'; readonly result: unknown }
  | { readonly kind: 'failed'; readonly error: JobErrorInfo; readonly willRetry: boolean }
  | { readonly kind: 'handed-back' };

/**
 * Runs one attempt of one job, the same way in every adapter: the `queue.process` span continues
 * the producer's trace; the attempt ends with the handler, its timeout or the worker's shutdown
 * (`controller` aborted with {@link SHUTDOWN}), whichever comes first; a handler that ignores its
 * signal keeps running in the background but can no longer change the job.
 */
export function runAttempt(
  handlers: JobHandlers,
  job: AttemptJob,
  controller: AbortController,
  telemetry: QueueTelemetry,
): Promise<AttemptOutcome> {
  const attributes = telemetry.jobAttributes(job.name, job.tenantId);
  if (job.readySince !== undefined) telemetry.recordWait((Date.now() - job.readySince) / 1000, attributes);
  return withSpan(
    telemetry.tracer,
    SPAN.queueProcess,
    {
      kind: SpanKind.CONSUMER,
      context: extractTraceContext(job.traceCarrier),
      attributes: { ...attributes, [ATTR.jobId]: job.id, [ATTR.jobAttempt]: job.attempt },
    },
    async (span) => {
      const started = performance.now();
      const outcome = await settle(handlers, job, controller);
      telemetry.recordProcess((performance.now() - started) / 1000, attributes);
      if (outcome.kind === 'completed') {
        telemetry.recordCompleted(attributes);
      } else if (outcome.kind === 'failed') {
        span.setAttribute(ATTR.jobState, outcome.willRetry ? 'delayed' : 'failed');
        recordSpanError(span, Object.assign(new Error(outcome.error.message), { code: outcome.error.code }));
        telemetry.recordFailedAttempt(attributes, outcome.error.code);
        if (outcome.willRetry) telemetry.recordRetried(attributes);
        else telemetry.recordDeadLettered(attributes);
      } else {
        span.setAttribute(ATTR.jobState, 'queued');
      }
      return outcome;
    },
  );
}

async function settle(
  handlers: JobHandlers,
  job: AttemptJob,
  controller: AbortController,
): Promise<AttemptOutcome> {
  const failed = (error: JobErrorInfo): AttemptOutcome => ({
    kind: 'failed',
    error,
    willRetry: error.retryable && job.attempt < job.maxAttempts,
  });
  const handler = handlers[job.name];
  if (!handler) {
    return failed({ code: JOB_NO_HANDLER, message: `no handler for job "${job.name}"`, retryable: false });
  }
  if (controller.signal.aborted) return { kind: 'handed-back' };

  let timer: NodeJS.Timeout | undefined;
  if (job.timeoutMs !== undefined) {
    const timeoutMs = job.timeoutMs;
    timer = setTimeout(() => controller.abort(new JobTimeoutError(job.id, timeoutMs)), timeoutMs);
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  const context: JobContext = {
    id: job.id,
    name: job.name,
    payload: job.payload,
    tenantId: job.tenantId,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    signal: controller.signal,
    updateProgress: (progress) => {
      const issue = jsonIssue(progress, 'progress');
      if (issue) return Promise.reject(new TypeError(issue));
      return job.updateProgress(progress);
    },
  };
  try {
    let running: Promise<unknown>;
    try {
      running = handler(context);
    } catch (error) {
      running = Promise.reject(error);
    }
    // The handler may settle after an abort decided the attempt: never let that be unhandled.
    running.catch(() => undefined);
    const winner = await Promise.race([running.then((value) => ({ value })), aborted]);
    if (winner === 'aborted') {
      const reason: unknown = controller.signal.reason;
      return reason === SHUTDOWN ? { kind: 'handed-back' } : failed(toErrorInfo(reason));
    }
    const issue = winner.value === undefined ? undefined : jsonIssue(winner.value, 'result');
    if (issue) return failed({ code: 'JOB_INVALID_RESULT', message: issue, retryable: false });
    return { kind: 'completed', result: winner.value };
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason === SHUTDOWN) return { kind: 'handed-back' };
    return failed(toErrorInfo(error));
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) controller.signal.removeEventListener('abort', onAbort);
  }
}
