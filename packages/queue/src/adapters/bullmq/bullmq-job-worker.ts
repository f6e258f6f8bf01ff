import { QueueEvents, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { JobCancelledError } from '../../errors';
import { AttemptControl, runAttempt, SHUTDOWN } from '../../internal/attempt';
import { JOB_CANCELLED } from '../../internal/errors';
import { backoffDelay } from '../../internal/options';
import type { QueueTelemetry } from '../../internal/telemetry';
import { resolveWorkerOptions, type ResolvedWorkerOptions } from '../../internal/worker-options';
import type {
  CloseWorkerOptions,
  JobHandlers,
  JobWorker,
  WorkerErrorEvent,
  WorkerHealth,
  WorkerOptions,
} from '../../ports';
import { CANCEL_REQUESTED_EVENT, type CancelledJobs } from './cancellation';
import { decodeError, encodeError, readEnvelope } from './envelope';
import { jobRecord } from './job-record';
import {
  leaseBullmqConnection,
  type BullmqConnectionLease,
  type BullmqRedisConnection,
} from './redis-connection';
import type { TenantFairness } from './tenant-fairness';

/** What a worker shares with the queue object that created it. */
export interface BullmqWorkerContext {
  readonly queueName: string;
  readonly connection: BullmqRedisConnection;
  readonly prefix: string;
  readonly fairness: TenantFairness;
  readonly cancellations: CancelledJobs;
  readonly telemetry: QueueTelemetry;
  onClosed(worker: BullmqJobWorker): void;
}

/**
 * BullMQ's backoff hook: exponential from the job's `baseMs`, capped at `maxMs`, jittered — the
 * same function the memory adapter uses. BullMQ's built-in exponential has no cap.
 */
function backoffStrategy(
  attemptsMade: number,
  _type?: string,
  _error?: Error,
  job?: { data: unknown },
): number {
  const [baseMs, maxMs, jitter] = readEnvelope(job?.data).b;
  return backoffDelay(attemptsMade, { baseMs, maxMs, jitter });
}

/**
 * A `JobWorker` on a BullMQ `Worker`: BullMQ fetches jobs, holds and renews their locks, runs the
 * stalled checker, retries and rate-limits; this class runs each attempt through the shared
 * attempt runner (span, timeout, signal) and implements the shutdown deadline.
 */
export class BullmqJobWorker implements JobWorker {
  private readonly options: ResolvedWorkerOptions;
  private readonly worker: Worker;
  private readonly lease: BullmqConnectionLease;
  /** Cancellation requests for jobs this worker does not (yet) run, by id, with their expiry. */
  private readonly pendingCancels = new Map<string, number>();
  private events: { readonly reader: QueueEvents; readonly lease: BullmqConnectionLease } | undefined;
  private loopStopped = false;
  private lastPingOk = 0;
  private checking = false;
  private errorCount = 0;
  private lastError: WorkerHealth['lastError'];
  private readonly active = new Map<string, AttemptControl>();
  private heartbeat: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private crashed = false;

  constructor(
    private readonly context: BullmqWorkerContext,
    private readonly handlers: JobHandlers,
    options: WorkerOptions,
  ) {
    this.options = resolveWorkerOptions(options);
    this.lease = leaseBullmqConnection(context.connection);
    this.worker = new Worker(context.queueName, (job, token) => this.process(job, token), {
      connection: this.lease.connection,
      prefix: context.prefix,
      autorun: false,
      concurrency: this.options.concurrency,
      limiter: this.options.rateLimit
        ? { max: this.options.rateLimit.max, duration: this.options.rateLimit.durationMs }
        : undefined,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      maxStalledCount: this.options.maxStalledCount,
      settings: { backoffStrategy },
    });
    // Connection errors are retried by BullMQ: counted, reported and reflected in health(), never thrown.
    this.worker.on('error', (error) => this.report('connection', error));
    // A cancelled attempt passes through BullMQ's failed set; its record already lives beside it.
    this.worker.on('failed', (job) => {
      if (job && decodeError(job.failedReason)?.code === JOB_CANCELLED)
        void job.remove().catch(() => undefined);
    });
  }

  get activeCount(): number {
    return this.active.size;
  }

  health(): WorkerHealth {
    const running = this.started !== undefined && !this.closing && !this.crashed && !this.loopStopped;
    const backendReachable = Date.now() - this.lastPingOk <= 2 * this.checkIntervalMs() + 1_000;
    return {
      healthy: running && backendReachable && this.worker.isRunning(),
      running,
      backendReachable,
      errors: this.errorCount,
      lastError: this.lastError,
    };
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      await this.worker.waitUntilReady();
      if (this.closing || this.crashed) return;
      await this.listenForCancels();
      this.worker.run().catch((error: unknown) => {
        // The processing loop is gone for good (BullMQ retries what it can inside it).
        this.loopStopped = true;
        this.report('loop', error);
      });
      await this.check();
      this.heartbeat = setInterval(() => void this.check(), this.checkIntervalMs());
      this.heartbeat.unref();
    })();
    return this.started;
  }

  /** Cancellation requests from any process arrive on BullMQ's event stream (a custom event). */
  private async listenForCancels(): Promise<void> {
    const lease = leaseBullmqConnection(this.context.connection);
    const reader = new QueueEvents(this.context.queueName, {
      connection: lease.connection,
      prefix: this.context.prefix,
      lastEventId: `${Date.now() - 1}-18446744073709551615`,
    });
    reader.on('error', (error) => this.report('events', error));
    (reader as unknown as { on(event: string, fn: (args: { jobId?: string }) => void): void }).on(
      CANCEL_REQUESTED_EVENT,
      ({ jobId }) => {
        if (jobId) this.cancelRequested(jobId);
      },
    );
    this.events = { reader, lease };
    await reader.waitUntilReady();
  }

  private cancelRequested(id: string): void {
    const control = this.active.get(id);
    if (control) {
      control.abort(new JobCancelledError(id));
      return;
    }
    // Not running here (yet): BullMQ may have handed it to this worker a moment ago, before
    // `process` registered it. Remember it long enough for that, then forget it.
    const now = Date.now();
    for (const [pending, until] of this.pendingCancels) if (until < now) this.pendingCancels.delete(pending);
    this.pendingCancels.set(id, now + Math.max(60_000, 2 * this.options.lockDurationMs));
  }

  private checkIntervalMs(): number {
    return Math.max(1_000, this.options.lockDurationMs / 2);
  }

  /** The heartbeat: beats only while the loop runs and Redis answers, so a dead worker stops beating. */
  private async check(): Promise<void> {
    if (this.checking) return; // the previous check still waits for Redis: it is down already
    this.checking = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const client = await this.worker.getBackend().client;
      // The worker's own connection (it queues commands while Redis is away): bounded by the interval.
      await Promise.race([
        client.runCommand('ping', []),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not answer PING within ${this.checkIntervalMs()} ms`)),
            this.checkIntervalMs(),
          );
        }),
      ]);
      this.lastPingOk = Date.now();
      if (!this.loopStopped && !this.closing && !this.crashed) this.context.telemetry.beat();
    } catch (error) {
      if (!this.closing && !this.crashed) this.report('connection', error);
    } finally {
      clearTimeout(timer);
      this.checking = false;
    }
  }

  private report(kind: WorkerErrorEvent['kind'], error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.errorCount++;
    this.lastError = { kind, message: failure.message, at: Date.now() };
    try {
      this.options.onError({ kind, error: failure });
    } catch {
      // A failing logger must not take the worker down.
    }
  }

  close(options: CloseWorkerOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.deadlineMs ?? this.options.shutdownDeadlineMs);
    return this.closing;
  }

  /**
   * Test hook: behaves as if the process were SIGKILLed. BullMQ's forced close stops lock renewal
   * and drops the connections without touching the active jobs, so they stay `active` with a lock
   * that expires; another worker's stalled checker then moves them back to wait.
   */
  async simulateCrash(): Promise<void> {
    this.crashed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.closing ??= this.worker
      .close(true)
      .then(() => this.closeEvents())
      .then(() => this.lease.release())
      .finally(() => this.context.onClosed(this));
    await this.closing;
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    // BullMQ's close stops fetching at once and waits for the active jobs.
    const closed = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), deadlineMs);
    });
    if ((await Promise.race([closed.then(() => 'closed' as const), expired])) === 'expired') {
      // Past the deadline: abort the attempts; their processors hand the jobs back to wait.
      for (const control of this.active.values()) control.abort(SHUTDOWN);
      await closed;
    }
    clearTimeout(timer);
    await this.closeEvents();
    await this.lease.release();
    this.context.onClosed(this);
  }

  private async closeEvents(): Promise<void> {
    if (!this.events) return;
    await this.events.reader.close().catch(() => undefined);
    await this.events.lease.release();
  }

  private async process(job: Job, token: string | undefined): Promise<unknown> {
    const envelope = readEnvelope(job.data);
    const id = job.id as string;
    // The job has left the tenant's waiting line (only once: a re-run after a stall or hand-back
    // has attemptsStarted > 1).
    if (envelope.t !== undefined && job.attemptsStarted <= 1) this.context.fairness.leave(envelope.t);
    const control = new AttemptControl();
    this.active.set(id, control);
    // Cancelled before it reached the handler: asked just before this worker took it, or while an
    // earlier attempt ran on a worker that died or handed it back (only then is Redis asked).
    if (
      this.pendingCancels.delete(id) ||
      (job.attemptsStarted > 1 && (await this.context.cancellations.isRequested(id).catch(() => false)))
    ) {
      control.abort(new JobCancelledError(id));
    }
    try {
      const outcome = await runAttempt(
        this.handlers,
        {
          id,
          name: job.name,
          payload: envelope.p,
          tenantId: envelope.t,
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
          timeoutMs: envelope.o,
          traceCarrier: envelope.c,
          readySince: job.attemptsStarted <= 1 ? job.timestamp + (job.opts.delay ?? 0) : undefined,
          progressSink: job,
        },
        control,
        this.context.telemetry,
      );
      if (this.crashed) return await new Promise(() => undefined); // a dead process reports nothing
      switch (outcome.kind) {
        case 'completed':
          return outcome.result;
        case 'failed': {
          const message = encodeError(outcome.error);
          throw outcome.error.retryable ? new Error(message) : new UnrecoverableError(message);
        }
        case 'handed-back':
          await job.moveToWait(token);
          throw new WaitingError();
        case 'cancelled': {
          // The record first (it outlives the BullMQ job); then the job fails without retries and
          // the 'failed' listener removes it from the failed set.
          const cancelled = new JobCancelledError(id);
          await this.context.cancellations.record({
            ...jobRecord(this.context.queueName, job, 'cancelled'),
            finishedAt: Date.now(),
          });
          throw new UnrecoverableError(
            encodeError({ code: cancelled.code, message: cancelled.message, retryable: false }),
          );
        }
      }
    } finally {
      this.active.delete(id);
    }
  }
}
