import type { TraceCarrier } from '@ai-scale/telemetry';
import {
  JobAlreadyFinishedError,
  JobCancelledError,
  JobNotFoundError,
  QueueUnavailableError,
} from '../../errors';
import { JOB_STALLED } from '../../internal/errors';
import { cloneJson } from '../../internal/clone';
import { MinHeap } from '../../internal/heap';
import { idempotentJobId, orderingPriority } from '../../internal/ids';
import {
  backoffDelay,
  resolveBulk,
  resolveEnqueue,
  type ResolvedEnqueueOptions,
} from '../../internal/options';
import { QueueTelemetry } from '../../internal/telemetry';
import type {
  EnqueueOptions,
  EnqueueRequest,
  JobCounts,
  JobErrorInfo,
  JobEvent,
  JobEventListener,
  JobHandlers,
  JobProgress,
  JobQueue,
  JobRecord,
  JobState,
  WorkerOptions,
} from '../../ports';
import type { MemoryJobStore, StoredJob, TakeResult } from './memory-job-store';
import { MemoryJobWorker } from './memory-job-worker';

export interface MemoryJobQueueOptions {
  /** Queue name, used in metrics and spans (default `default`). */
  readonly name?: string;
  /** Completed jobs kept for `getJob` and idempotency, newest first (default 10,000). */
  readonly keepCompleted?: number;
  /** Dead-lettered jobs kept (default 10,000), and as many cancelled ones. */
  readonly keepFailed?: number;
}

interface HeapEntry {
  readonly job: StoredJob;
  readonly seq: number;
}

/**
 * The embedded `JobQueue`: every guarantee of the port inside one process (no durability across
 * restarts, by nature). Workers lease jobs with expiring locks exactly like the BullMQ adapter, so
 * an abandoned job is recovered by the stalled checker, and ordering uses the same
 * priority-then-tenant-rank number.
 */
export class MemoryJobQueue implements JobQueue, MemoryJobStore {
  readonly name: string;
  private readonly jobs = new Map<string, StoredJob>();
  private readonly ready = new MinHeap<HeapEntry>(
    (a, b) => a.job.ordering < b.job.ordering || (a.job.ordering === b.job.ordering && a.seq < b.seq),
  );
  private readonly delayed = new MinHeap<HeapEntry>(
    (a, b) => a.job.readyAt < b.job.readyAt || (a.job.readyAt === b.job.readyAt && a.seq < b.seq),
  );
  private readonly completedOrder = new Set<string>();
  private readonly failedOrder = new Set<string>();
  private readonly cancelledOrder = new Set<string>();
  private readonly stateCounts: Record<JobState, number> = {
    queued: 0,
    delayed: 0,
    active: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
  /**
   * Per tenant: jobs waiting for their first attempt, and the rank the next one gets. The rank only
   * grows while the tenant has jobs waiting (so a tenant stays FIFO), and restarts at 0 once it has none.
   */
  private readonly tenantWaiting = new Map<string, { waiting: number; next: number }>();
  private readonly listeners = new Set<JobEventListener>();
  private readonly workers = new Set<MemoryJobWorker>();
  private readonly telemetry: QueueTelemetry;
  private readonly keepCompleted: number;
  private readonly keepFailed: number;
  private nextId = 1;
  private nextSeq = 1;
  private delayTimer: NodeJS.Timeout | undefined;
  private delayTimerAt = Number.POSITIVE_INFINITY;
  private rateLimit: { max: number; durationMs: number } | undefined;
  private rateWindow = { start: 0, count: 0 };
  private closed = false;

  constructor(options: MemoryJobQueueOptions = {}) {
    this.name = options.name ?? 'default';
    this.keepCompleted = options.keepCompleted ?? 10_000;
    this.keepFailed = options.keepFailed ?? 10_000;
    this.telemetry = new QueueTelemetry(this.name, () => this.counts(), 'memory');
  }

  enqueue<P = unknown>(name: string, payload: P, options?: EnqueueOptions): Promise<JobRecord<P>> {
    try {
      this.assertOpen();
      const resolved = resolveEnqueue(name, payload, options);
      return this.telemetry.enqueueSpan(
        name,
        resolved.tenantId,
        async (carrier) => this.toRecord(this.insert(name, payload, resolved, carrier)) as JobRecord<P>,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async enqueueBulk(requests: readonly EnqueueRequest[]): Promise<JobRecord[]> {
    this.assertOpen();
    const resolved = resolveBulk(requests);
    const records: JobRecord[] = [];
    for (const [index, request] of requests.entries()) {
      const options = resolved[index] as ResolvedEnqueueOptions;
      records.push(
        await this.telemetry.enqueueSpan(request.name, options.tenantId, async (carrier) =>
          this.toRecord(this.insert(request.name, request.payload, options, carrier)),
        ),
      );
    }
    return records;
  }

  async getJob<P = unknown, R = unknown>(id: string): Promise<JobRecord<P, R> | undefined> {
    this.assertOpen();
    const job = this.jobs.get(id);
    return job ? (this.toRecord(job) as JobRecord<P, R>) : undefined;
  }

  async counts(): Promise<JobCounts> {
    this.assertOpen();
    return { ...this.stateCounts };
  }

  async listDeadLetters(page: { limit?: number; offset?: number } = {}): Promise<JobRecord[]> {
    this.assertOpen();
    const limit = Math.max(0, page.limit ?? 100);
    const offset = Math.max(0, page.offset ?? 0);
    const newestFirst = [...this.failedOrder].reverse().slice(offset, offset + limit);
    return newestFirst.map((id) => this.toRecord(this.jobs.get(id) as StoredJob));
  }

  async retryDeadLetter(id: string): Promise<JobRecord> {
    this.assertOpen();
    const job = this.jobs.get(id);
    if (!job || job.state !== 'failed') throw new JobNotFoundError(id, `no dead-lettered job ${id}`);
    this.failedOrder.delete(id);
    job.attemptsMade = 0;
    job.stalledCount = 0;
    job.finishedAt = undefined;
    this.makeReady(job);
    this.emit({ type: 'queued', jobId: id, timestamp: Date.now() });
    this.notifyWorkers();
    return this.toRecord(job);
  }

  async cancel(id: string): Promise<JobRecord> {
    this.assertOpen();
    const job = this.jobs.get(id);
    if (!job) throw new JobNotFoundError(id);
    switch (job.state) {
      case 'cancelled':
        break;
      case 'completed':
      case 'failed':
        throw new JobAlreadyFinishedError(id, job.state);
      case 'queued':
      case 'delayed':
        // Its heap entries go stale: take() and promoteDue() skip a job whose state moved on.
        if (job.attemptsStarted === 0) this.leaveTenantWaiting(job);
        this.finishCancelled(job, Date.now());
        break;
      case 'active':
        // The worker holding the lease aborts the attempt and reports `cancelled`; a lease whose
        // worker died ends `cancelled` when the stalled checker finds it (cancelRequested).
        job.cancelRequested = true;
        for (const worker of this.workers) worker.cancelActive(id, new JobCancelledError(id));
        break;
    }
    return this.toRecord(job);
  }

  subscribe(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  createWorker(handlers: JobHandlers, options: WorkerOptions = {}): MemoryJobWorker {
    this.assertOpen();
    if (options.rateLimit) this.rateLimit = { ...options.rateLimit };
    const worker = new MemoryJobWorker(this, handlers, options, this.telemetry);
    this.workers.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.workers].map((worker) => worker.close({ deadlineMs: 0 })));
    this.closed = true;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.telemetry.close();
    this.listeners.clear();
  }

  // ---- used by MemoryJobWorker ----

  /** Leases the next ready job to `token` for `lockDurationMs`, honouring the rate limit. */
  take(token: string, lockDurationMs: number): TakeResult {
    if (this.closed) return { kind: 'empty' };
    const now = Date.now();
    this.promoteDue(now);
    let entry = this.ready.peek();
    while (entry && (entry.job.state !== 'queued' || entry.job.seq !== entry.seq)) {
      this.ready.pop(); // stale: the job moved on since this entry was pushed
      entry = this.ready.peek();
    }
    if (!entry) return { kind: 'empty' };
    if (this.rateLimit) {
      // A fixed window that opens with the first job started in it, as BullMQ's limiter does.
      if (now - this.rateWindow.start >= this.rateLimit.durationMs)
        this.rateWindow = { start: now, count: 0 };
      if (this.rateWindow.count >= this.rateLimit.max) {
        return { kind: 'rate-limited', retryAt: this.rateWindow.start + this.rateLimit.durationMs };
      }
      this.rateWindow.count++;
    }
    this.ready.pop();
    const job = entry.job;
    this.setState(job, 'active');
    job.attemptsStarted++;
    if (job.attemptsStarted === 1) this.leaveTenantWaiting(job);
    job.startedAt = now;
    job.lock = { token, until: now + lockDurationMs };
    this.emit({ type: 'active', jobId: job.id, timestamp: now });
    return { kind: 'job', job };
  }

  /** Extends the locks `token` holds; returns the ids whose lock was lost. */
  extendLocks(token: string, ids: Iterable<string>, lockDurationMs: number): void {
    const until = Date.now() + lockDurationMs;
    for (const id of ids) {
      const job = this.jobs.get(id);
      if (job?.state === 'active' && job.lock?.token === token) job.lock.until = until;
    }
  }

  holdsLock(job: StoredJob, token: string): boolean {
    return job.state === 'active' && job.lock?.token === token && !this.closed;
  }

  updateProgress(job: StoredJob, token: string, progress: JobProgress): void {
    if (!this.holdsLock(job, token)) return;
    job.progress = cloneJson(progress);
    this.emit({ type: 'progress', jobId: job.id, progress: job.progress, timestamp: Date.now() });
  }

  complete(job: StoredJob, token: string, result: unknown): void {
    if (!this.holdsLock(job, token)) return;
    const now = Date.now();
    job.attemptsMade++;
    job.result = result === undefined ? undefined : cloneJson(result);
    job.finishedAt = now;
    job.lock = undefined;
    this.setState(job, 'completed');
    this.retain(this.completedOrder, job.id, this.keepCompleted);
    this.emit({ type: 'completed', jobId: job.id, result: job.result, timestamp: now });
  }

  fail(job: StoredJob, token: string, error: JobErrorInfo, willRetry: boolean): void {
    if (!this.holdsLock(job, token)) return;
    job.attemptsMade++;
    job.lock = undefined;
    job.error = error;
    const now = Date.now();
    if (willRetry) {
      const delayMs = backoffDelay(job.attemptsMade, job.options.backoff);
      this.schedule(job, now + delayMs);
      this.emit({ type: 'retrying', jobId: job.id, delayMs, timestamp: now });
      this.notifyWorkers();
    } else {
      this.deadLetter(job, now);
    }
  }

  cancelled(job: StoredJob, token: string): void {
    if (!this.holdsLock(job, token)) return;
    job.lock = undefined;
    this.finishCancelled(job, Date.now());
  }

  /** Puts a job back to `queued` without using up an attempt (graceful shutdown). */
  handBack(job: StoredJob, token: string): void {
    if (!this.holdsLock(job, token)) return;
    job.lock = undefined;
    if (job.cancelRequested) {
      this.finishCancelled(job, Date.now());
      return;
    }
    this.makeReady(job);
    this.emit({ type: 'queued', jobId: job.id, timestamp: Date.now() });
    this.notifyWorkers();
  }

  /**
   * Re-queues active jobs whose lock expired (their worker died), or dead-letters those recovered
   * more than `maxStalledCount` times. Any live worker runs this periodically.
   */
  recoverStalled(maxStalledCount: number): void {
    const now = Date.now();
    let requeued = false;
    for (const job of this.jobs.values()) {
      if (job.state !== 'active' || !job.lock || job.lock.until > now) continue;
      job.lock = undefined;
      job.stalledCount++;
      if (job.cancelRequested) {
        this.finishCancelled(job, now);
      } else if (job.stalledCount > maxStalledCount) {
        job.error = { code: JOB_STALLED, message: 'job stalled more than allowable limit', retryable: false };
        this.deadLetter(job, now);
      } else {
        this.makeReady(job);
        this.emit({ type: 'queued', jobId: job.id, timestamp: now });
        requeued = true;
      }
    }
    if (requeued) this.notifyWorkers();
  }

  forgetWorker(worker: MemoryJobWorker): void {
    this.workers.delete(worker);
  }

  // ---- internals ----

  private insert(
    name: string,
    payload: unknown,
    options: ResolvedEnqueueOptions,
    carrier: TraceCarrier,
  ): StoredJob {
    const id =
      options.idempotencyKey === undefined
        ? String(this.nextId++)
        : idempotentJobId(options.tenantId, options.idempotencyKey);
    const existing = this.jobs.get(id);
    if (existing) return existing;
    let rank = 0;
    if (options.tenantId !== undefined) {
      const tenant = this.tenantWaiting.get(options.tenantId) ?? { waiting: 0, next: 0 };
      rank = tenant.next;
      this.tenantWaiting.set(options.tenantId, { waiting: tenant.waiting + 1, next: tenant.next + 1 });
    }
    const now = Date.now();
    const job: StoredJob = {
      id,
      name,
      tenantId: options.tenantId,
      idempotencyKey: options.idempotencyKey,
      payload: cloneJson(payload),
      priority: options.priority,
      ordering: orderingPriority(options.priority, rank),
      options,
      traceCarrier: carrier,
      createdAt: now,
      seq: 0,
      state: 'queued',
      progress: 0,
      result: undefined,
      error: undefined,
      attemptsMade: 0,
      attemptsStarted: 0,
      stalledCount: 0,
      cancelRequested: false,
      readyAt: now,
      startedAt: undefined,
      finishedAt: undefined,
      lock: undefined,
    };
    this.jobs.set(id, job);
    this.stateCounts.queued++; // setState below moves it if delayed
    if (options.delayMs > 0) {
      this.schedule(job, now + options.delayMs);
      this.emit({ type: 'delayed', jobId: id, delayMs: options.delayMs, timestamp: now });
    } else {
      job.seq = this.nextSeq++;
      this.ready.push({ job, seq: job.seq });
      this.emit({ type: 'queued', jobId: id, timestamp: now });
      this.notifyWorkers();
    }
    return job;
  }

  private makeReady(job: StoredJob): void {
    this.setState(job, 'queued');
    job.seq = this.nextSeq++;
    this.ready.push({ job, seq: job.seq });
  }

  private schedule(job: StoredJob, readyAt: number): void {
    this.setState(job, 'delayed');
    job.readyAt = readyAt;
    job.seq = this.nextSeq++;
    this.delayed.push({ job, seq: job.seq });
    this.armDelayTimer();
  }

  private promoteDue(now: number): boolean {
    let promoted = false;
    for (let entry = this.delayed.peek(); entry && entry.job.readyAt <= now; entry = this.delayed.peek()) {
      this.delayed.pop();
      if (entry.job.state !== 'delayed' || entry.job.seq !== entry.seq) continue;
      this.makeReady(entry.job);
      promoted = true;
    }
    return promoted;
  }

  private armDelayTimer(): void {
    const next = this.delayed.peek();
    if (!next || this.closed) return;
    if (this.delayTimer && this.delayTimerAt <= next.job.readyAt) return;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimerAt = next.job.readyAt;
    this.delayTimer = setTimeout(
      () => {
        this.delayTimer = undefined;
        this.delayTimerAt = Number.POSITIVE_INFINITY;
        if (this.promoteDue(Date.now())) this.notifyWorkers();
        this.armDelayTimer();
      },
      Math.max(0, next.job.readyAt - Date.now()),
    );
  }

  private deadLetter(job: StoredJob, now: number): void {
    job.finishedAt = now;
    this.setState(job, 'failed');
    this.retain(this.failedOrder, job.id, this.keepFailed);
    this.emit({ type: 'failed', jobId: job.id, error: job.error as JobErrorInfo, timestamp: now });
  }

  private finishCancelled(job: StoredJob, now: number): void {
    job.finishedAt = now;
    this.setState(job, 'cancelled');
    this.retain(this.cancelledOrder, job.id, this.keepFailed);
    this.emit({ type: 'cancelled', jobId: job.id, timestamp: now });
  }

  private retain(order: Set<string>, id: string, keep: number): void {
    order.add(id);
    while (order.size > keep) {
      const oldest = order.values().next().value as string;
      order.delete(oldest);
      const job = this.jobs.get(oldest);
      if (job) this.stateCounts[job.state]--;
      this.jobs.delete(oldest);
    }
  }

  private leaveTenantWaiting(job: StoredJob): void {
    if (job.tenantId === undefined) return;
    const tenant = this.tenantWaiting.get(job.tenantId);
    if (!tenant || tenant.waiting <= 1) this.tenantWaiting.delete(job.tenantId);
    else tenant.waiting -= 1;
  }

  private setState(job: StoredJob, state: JobState): void {
    this.stateCounts[job.state]--;
    this.stateCounts[state]++;
    job.state = state;
  }

  private notifyWorkers(): void {
    for (const worker of this.workers) worker.wake();
  }

  private emit(event: JobEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not break the queue or the other listeners.
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new QueueUnavailableError(`queue ${this.name} is closed`, { queue: this.name });
  }

  private toRecord(job: StoredJob): JobRecord {
    return {
      id: job.id,
      name: job.name,
      queue: this.name,
      tenantId: job.tenantId,
      idempotencyKey: job.idempotencyKey,
      payload: cloneJson(job.payload),
      state: job.state,
      priority: job.priority,
      progress: cloneJson(job.progress),
      result: cloneJson(job.result),
      error: job.error,
      attempts: job.attemptsMade,
      maxAttempts: job.options.attempts,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
    };
  }
}
