import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { AttemptControl, runAttempt, SHUTDOWN } from '../../internal/attempt';
import { backoffDelay } from '../../internal/options';
import type { QueueTelemetry } from '../../internal/telemetry';
import { resolveWorkerOptions, type ResolvedWorkerOptions } from '../../internal/worker-options';
import type { CloseWorkerOptions, JobHandlers, JobWorker, WorkerOptions } from '../../ports';
import { encodeError, readEnvelope } from './envelope';
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
    // Connection errors are retried by BullMQ; a listener keeps them from crashing the process.
    this.worker.on('error', () => undefined);
  }

  get activeCount(): number {
    return this.active.size;
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      await this.worker.waitUntilReady();
      if (this.closing || this.crashed) return;
      this.worker.run().catch(() => undefined);
      this.context.telemetry.beat();
      this.heartbeat = setInterval(
        () => this.context.telemetry.beat(),
        Math.max(1_000, this.options.lockDurationMs / 2),
      );
      this.heartbeat.unref();
    })();
    return this.started;
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
    await this.lease.release();
    this.context.onClosed(this);
  }

  private async process(job: Job, token: string | undefined): Promise<unknown> {
    const envelope = readEnvelope(job.data);
    const id = job.id as string;
    // The job has left the tenant's waiting line (only once: a re-run after a stall or hand-back
    // has attemptsStarted > 1).
    if (envelope.t !== undefined && job.attemptsStarted <= 1) this.context.fairness.leave(envelope.t);
    const control = new AttemptControl();
    this.active.set(id, control);
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
      }
    } finally {
      this.active.delete(id);
    }
  }
}
