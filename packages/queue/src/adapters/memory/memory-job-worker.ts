import { randomUUID } from 'node:crypto';
import { JobCancelledError } from '../../errors';
import { AttemptControl, runAttempt, SHUTDOWN } from '../../internal/attempt';
import { cloneJson } from '../../internal/clone';
import type { QueueTelemetry } from '../../internal/telemetry';
import { resolveWorkerOptions, type ResolvedWorkerOptions } from '../../internal/worker-options';
import type { CloseWorkerOptions, JobHandlers, JobWorker, WorkerHealth, WorkerOptions } from '../../ports';
import type { MemoryJobStore, StoredJob } from './memory-job-store';

/** A worker of a `MemoryJobQueue`: leases jobs with expiring locks, like a BullMQ worker. */
export class MemoryJobWorker implements JobWorker {
  private readonly token = randomUUID();
  private readonly options: ResolvedWorkerOptions;
  private readonly active = new Map<string, AttemptControl>();
  private readonly idleWaiters = new Set<() => void>();
  private running = false;
  private closing: Promise<void> | undefined;
  private crashed = false;
  private pumpScheduled = false;
  private timers: NodeJS.Timeout[] = [];
  private rateTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: MemoryJobStore,
    private readonly handlers: JobHandlers,
    options: WorkerOptions,
    private readonly telemetry: QueueTelemetry,
  ) {
    this.options = resolveWorkerOptions(options);
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** In one process there is no connection to lose: healthy while started and not closing. */
  health(): WorkerHealth {
    const running = this.running && !this.closing && !this.crashed;
    return { healthy: running, running, backendReachable: true, errors: 0, lastError: undefined };
  }

  async start(): Promise<void> {
    if (this.running || this.closing || this.crashed) return;
    this.running = true;
    const every = (ms: number, fn: () => void): void => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(1, Math.floor(this.options.lockDurationMs / 2)), () => {
      this.queue.extendLocks(this.token, this.active.keys(), this.options.lockDurationMs);
      this.telemetry.beat();
    });
    every(this.options.stalledIntervalMs, () => this.queue.recoverStalled(this.options.maxStalledCount));
    this.telemetry.beat();
    this.queue.recoverStalled(this.options.maxStalledCount);
    this.pump();
  }

  /** Called by the queue when jobs may be ready; coalesced into one pump per tick. */
  wake(): void {
    if (!this.running || this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  close(options: CloseWorkerOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.deadlineMs ?? this.options.shutdownDeadlineMs);
    return this.closing;
  }

  /**
   * Test hook: behaves as if the process died now. Locks are no longer renewed and nothing this
   * worker's running handlers do reaches the queue any more; another worker's stalled checker
   * recovers the jobs once their locks expire.
   */
  simulateCrash(): void {
    this.crashed = true;
    this.running = false;
    this.stopTimers();
    this.queue.forgetWorker(this);
  }

  /** Aborts the attempt of job `id` if this worker runs it (`reason` tells the attempt runner why). */
  cancelActive(id: string, reason: Error): void {
    this.active.get(id)?.abort(reason);
  }

  private pump(): void {
    while (this.running && !this.closing && this.active.size < this.options.concurrency) {
      const taken = this.queue.take(this.token, this.options.lockDurationMs);
      if (taken.kind === 'job') {
        this.run(taken.job);
      } else {
        if (taken.kind === 'rate-limited' && !this.rateTimer) {
          this.rateTimer = setTimeout(
            () => {
              this.rateTimer = undefined;
              this.pump();
            },
            Math.max(1, taken.retryAt - Date.now()),
          );
        }
        return;
      }
    }
  }

  private run(job: StoredJob): void {
    const control = new AttemptControl();
    this.active.set(job.id, control);
    if (job.cancelRequested) control.abort(new JobCancelledError(job.id)); // the handler never starts
    const token = this.token;
    runAttempt(
      this.handlers,
      {
        id: job.id,
        name: job.name,
        payload: cloneJson(job.payload),
        tenantId: job.tenantId,
        attempt: job.attemptsMade + 1,
        maxAttempts: job.options.attempts,
        timeoutMs: job.options.timeoutMs,
        traceCarrier: job.traceCarrier,
        readySince: job.attemptsStarted === 1 ? job.createdAt + job.options.delayMs : undefined,
        progressSink: {
          updateProgress: async (progress) => {
            if (!this.crashed) this.queue.updateProgress(job, token, progress);
          },
        },
      },
      control,
      this.telemetry,
    )
      .then((outcome) => {
        if (this.crashed) return;
        if (outcome.kind === 'completed') this.queue.complete(job, token, outcome.result);
        else if (outcome.kind === 'failed') this.queue.fail(job, token, outcome.error, outcome.willRetry);
        else if (outcome.kind === 'cancelled') this.queue.cancelled(job, token);
        else this.queue.handBack(job, token);
      })
      .finally(() => {
        this.active.delete(job.id);
        if (this.active.size === 0) for (const resolve of this.idleWaiters) resolve();
        this.pump();
      });
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    this.running = false;
    if (this.rateTimer) clearTimeout(this.rateTimer);
    if (this.active.size > 0) {
      const idle = new Promise<void>((resolve) => this.idleWaiters.add(resolve));
      let deadline: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        deadline = setTimeout(() => resolve('expired'), deadlineMs);
      });
      if ((await Promise.race([idle, expired])) === 'expired') {
        for (const control of this.active.values()) control.abort(SHUTDOWN);
        await idle;
      }
      clearTimeout(deadline);
    }
    this.stopTimers();
    this.queue.forgetWorker(this);
  }

  private stopTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.rateTimer) clearTimeout(this.rateTimer);
    this.rateTimer = undefined;
  }
}
