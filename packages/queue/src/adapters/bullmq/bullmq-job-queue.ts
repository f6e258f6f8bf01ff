import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job, type JobsOptions } from 'bullmq';
import { AiScaleError } from '@ai-scale/errors';
import type { TraceCarrier } from '@ai-scale/telemetry';
import {
  InvalidQueueOptionsError,
  JobAlreadyFinishedError,
  JobNotFoundError,
  QueueUnavailableError,
} from '../../errors';
import { JOB_CANCELLED } from '../../internal/errors';
import { idempotentJobId, orderingPriority } from '../../internal/ids';
import { resolveBulk, resolveEnqueue, type ResolvedEnqueueOptions } from '../../internal/options';
import { QueueTelemetry } from '../../internal/telemetry';
import type {
  EnqueueOptions,
  EnqueueRequest,
  JobCounts,
  JobEvent,
  JobEventListener,
  JobHandlers,
  JobQueue,
  JobRecord,
  JobState,
  WorkerOptions,
} from '../../ports';
import { BullmqJobWorker } from './bullmq-job-worker';
import { CANCEL_REQUESTED_EVENT, CANCELLED_EVENT, CancelledJobs } from './cancellation';
import { decodeError, readEnvelope, readProgress, type Envelope } from './envelope';
import { jobRecord, mapState } from './job-record';
import {
  checkClusterPrefix,
  CLUSTER_PREFIX,
  createRedisClient,
  isClusterConnection,
  leaseBullmqConnection,
  type BullmqConnectionLease,
  type BullmqRedisConnection,
} from './redis-connection';
import { TenantFairness } from './tenant-fairness';

/** How many finished jobs BullMQ keeps (`removeOnComplete` / `removeOnFail`). */
export interface Retention {
  /** Keep at most this many (newest). */
  readonly count?: number;
  /** Keep for at most this many seconds. */
  readonly ageSeconds?: number;
}

export interface BullmqJobQueueOptions {
  /** Queue name (one BullMQ queue). */
  readonly name: string;
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`: shorthand for `redis: { url }`. */
  readonly redisUrl?: string;
  /** One Redis server (`{ url }`) or a Redis Cluster (`{ clusterNodes }`). One of `redis`, `redisUrl` is required. */
  readonly redis?: BullmqRedisConnection;
  /**
   * Key prefix of every key of this queue (default `ai-scale`, and `{ai-scale}` on a Cluster, where
   * it must contain a hash tag: every key of a queue has to be in one slot).
   */
  readonly prefix?: string;
  /**
   * Completed jobs kept for `getJob` and idempotency (default 10,000 and 24 h). An idempotency key
   * only deduplicates while its first job is retained.
   */
  readonly keepCompleted?: Retention;
  /** The dead-letter set's retention (default 10,000 and 7 days). */
  readonly keepFailed?: Retention;
  /** How long a call may wait for Redis before failing with `QueueUnavailableError` (default 5,000 ms). */
  readonly operationTimeoutMs?: number;
  /**
   * Told about the connection errors of the queue's own clients (calls still fail with
   * `QueueUnavailableError`) and of the event reader behind `subscribe`: log them. Workers have
   * their own (`WorkerOptions.onError`).
   */
  readonly onError?: (event: { readonly kind: 'connection' | 'events'; readonly error: Error }) => void;
}

/** The custom backoff strategy's name: exponential with jitter and a cap (see `backoffDelay`). */
export const BACKOFF_TYPE = 'ai-scale-exponential';

function keepJobs(
  retention: Retention | undefined,
  fallback: { count: number; age: number },
): { count: number; age: number } {
  return { count: retention?.count ?? fallback.count, age: retention?.ageSeconds ?? fallback.age };
}

/** Wraps a Redis/BullMQ failure; lets our own typed errors through. */
export function unavailable(error: unknown, queue: string): Error {
  if (AiScaleError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new QueueUnavailableError(`queue ${queue}: ${message}`, { cause: error, queue });
}

/**
 * `JobQueue` on BullMQ (Redis). BullMQ does the queueing, retries (with a custom backoff strategy
 * for jitter and a cap), rate limiting, stalled-job recovery and id-based deduplication; this class
 * maps the port onto it, and adds tenant fairness through priorities (see README).
 */
export class BullmqJobQueue implements JobQueue {
  readonly name: string;
  private readonly queue: Queue;
  private readonly fairness: TenantFairness;
  private readonly cancellations: CancelledJobs;
  private readonly telemetry: QueueTelemetry;
  private readonly connection: BullmqRedisConnection;
  private readonly queueLease: BullmqConnectionLease;
  private eventsLease: BullmqConnectionLease | undefined;
  private readonly prefix: string;
  private readonly removeOnComplete: { count: number; age: number };
  private readonly removeOnFail: { count: number; age: number };
  private readonly listeners = new Set<JobEventListener>();
  private readonly workers = new Set<BullmqJobWorker>();
  private events: QueueEvents | undefined;
  private eventChain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly operationTimeoutMs: number;
  private readonly reportEventsError: (error: unknown) => void;

  constructor(options: BullmqJobQueueOptions) {
    this.name = options.name;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 5_000;
    const connection =
      options.redis ?? (options.redisUrl === undefined ? undefined : { url: options.redisUrl });
    if (!connection) throw new InvalidQueueOptionsError(`queue ${this.name}: give \`redis\` or \`redisUrl\``);
    this.connection = connection;
    const cluster = isClusterConnection(connection);
    this.prefix = options.prefix ?? (cluster ? CLUSTER_PREFIX : 'ai-scale');
    if (cluster) checkClusterPrefix(this.prefix);
    this.removeOnComplete = keepJobs(options.keepCompleted, { count: 10_000, age: 24 * 3_600 });
    this.removeOnFail = keepJobs(options.keepFailed, { count: 10_000, age: 7 * 24 * 3_600 });
    this.queueLease = leaseBullmqConnection(connection);
    this.queue = new Queue(this.name, { connection: this.queueLease.connection, prefix: this.prefix });
    const report =
      (kind: 'connection' | 'events') =>
      (error: unknown): void => {
        try {
          options.onError?.({ kind, error: error instanceof Error ? error : new Error(String(error)) });
        } catch {
          // a failing logger must not break the queue
        }
      };
    this.reportEventsError = report('events');
    // Also surfaced as QueueUnavailableError on each call.
    this.queue.on('error', report('connection'));
    const client = createRedisClient(connection, { maxRetriesPerRequest: 2, lazyConnect: false });
    client.on('error', report('connection'));
    this.fairness = new TenantFairness(client, `${this.prefix}:${this.name}:ai-scale:tenant-waiting`);
    this.cancellations = new CancelledJobs(client, `${this.prefix}:${this.name}:ai-scale`, {
      count: this.removeOnFail.count,
      ageSeconds: this.removeOnFail.age,
    });
    this.telemetry = new QueueTelemetry(this.name, () => this.counts(), 'bullmq');
  }

  enqueue<P = unknown>(name: string, payload: P, options?: EnqueueOptions): Promise<JobRecord<P>> {
    let resolved: ResolvedEnqueueOptions;
    try {
      this.assertOpen();
      resolved = resolveEnqueue(name, payload, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.guard(
      this.telemetry.enqueueSpan(name, resolved.tenantId, async (carrier) => {
        const rank = resolved.tenantId === undefined ? 0 : await this.fairness.join(resolved.tenantId);
        const { data, opts } = this.toBullmq(payload, resolved, carrier, rank);
        let job: Job;
        try {
          job = await this.queue.add(name, data, opts);
        } catch (error) {
          if (resolved.tenantId !== undefined) this.fairness.leave(resolved.tenantId);
          throw unavailable(error, this.name);
        }
        if (resolved.idempotencyKey !== undefined) {
          return (await this.settleIdempotent(job.id as string, data)) as JobRecord<P>;
        }
        return this.freshRecord(job, name, payload, resolved);
      }),
    );
  }

  async enqueueBulk(requests: readonly EnqueueRequest[]): Promise<JobRecord[]> {
    this.assertOpen();
    const resolved = resolveBulk(requests);
    if (requests.length === 0) return [];
    return this.guard(
      this.telemetry.enqueueSpan(requests[0]?.name as string, undefined, async (carrier) => {
        const ranks = await this.fairness.joinMany(resolved.map((options) => options.tenantId));
        const bulk = requests.map((request, index) => {
          const { data, opts } = this.toBullmq(
            request.payload,
            resolved[index] as ResolvedEnqueueOptions,
            carrier,
            ranks[index] ?? 0,
          );
          return { name: request.name, data, opts };
        });
        let jobs: Job[];
        try {
          jobs = await this.queue.addBulk(bulk);
        } catch (error) {
          for (const options of resolved)
            if (options.tenantId !== undefined) this.fairness.leave(options.tenantId);
          throw unavailable(error, this.name);
        }
        return Promise.all(
          jobs.map((job, index) => {
            const options = resolved[index] as ResolvedEnqueueOptions;
            const request = requests[index] as EnqueueRequest;
            return options.idempotencyKey !== undefined
              ? this.settleIdempotent(job.id as string, bulk[index]?.data as Envelope)
              : this.freshRecord(job, request.name, request.payload, options);
          }),
        );
      }),
    );
  }

  async getJob<P = unknown, R = unknown>(id: string): Promise<JobRecord<P, R> | undefined> {
    this.assertOpen();
    return this.guard(this.fetchRecord<P, R>(id));
  }

  private async fetchRecord<P, R>(id: string): Promise<JobRecord<P, R> | undefined> {
    try {
      // State first, then the job: the data read is never older than the state, so a `failed` or
      // `completed` record always carries its error or result (read in parallel, a job finishing
      // between the two reads showed `failed` with no error).
      const state = await this.queue.getJobState(id);
      const job = state === 'unknown' ? undefined : await this.queue.getJob(id);
      // A cancelled job has left BullMQ: its record is kept beside it.
      if (!job) return (await this.cancellations.get(id)) as JobRecord<P, R> | undefined;
      return this.toRecord(job, mapState(state)) as JobRecord<P, R>;
    } catch (error) {
      throw unavailable(error, this.name);
    }
  }

  async counts(): Promise<JobCounts> {
    this.assertOpen();
    return this.guard(this.fetchCounts());
  }

  private async fetchCounts(): Promise<JobCounts> {
    try {
      const counts = await this.queue.getJobCounts(
        'waiting',
        'prioritized',
        'waiting-children',
        'delayed',
        'active',
        'completed',
        'failed',
      );
      const of = (key: string): number => counts[key] ?? 0;
      return {
        queued: of('waiting') + of('prioritized') + of('waiting-children'),
        delayed: of('delayed'),
        active: of('active'),
        completed: of('completed'),
        failed: of('failed'),
        cancelled: await this.cancellations.count(),
      };
    } catch (error) {
      throw unavailable(error, this.name);
    }
  }

  /** BullMQ's own failed set is the dead-letter set: jobs land there only once retries are over. */
  async listDeadLetters(page: { limit?: number; offset?: number } = {}): Promise<JobRecord[]> {
    this.assertOpen();
    const limit = Math.max(0, page.limit ?? 100);
    const offset = Math.max(0, page.offset ?? 0);
    if (limit === 0) return [];
    try {
      const jobs = await this.guard(this.queue.getFailed(offset, offset + limit - 1));
      // A cancelled attempt passes through the failed set for a moment: never a dead letter.
      return jobs
        .filter((job) => job !== undefined)
        .map((job) => this.toRecord(job, 'failed'))
        .filter((record) => record.state === 'failed');
    } catch (error) {
      throw unavailable(error, this.name);
    }
  }

  async retryDeadLetter(id: string): Promise<JobRecord> {
    this.assertOpen();
    let job: Job | undefined;
    try {
      const [found, state] = await this.guard(
        Promise.all([this.queue.getJob(id), this.queue.getJobState(id)]),
      );
      if (found && state === 'failed') job = found;
    } catch (error) {
      throw unavailable(error, this.name);
    }
    if (!job) throw new JobNotFoundError(id, `no dead-lettered job ${id}`);
    try {
      await this.guard(job.retry('failed', { resetAttemptsMade: true }));
    } catch (error) {
      // Another caller retried it first.
      if (/not in the failed state|is not in the/i.test(String(error))) {
        throw new JobNotFoundError(id, `no dead-lettered job ${id}`);
      }
      throw unavailable(error, this.name);
    }
    return (await this.getJob(id)) ?? this.toRecord(job, 'queued');
  }

  async cancel(id: string): Promise<JobRecord> {
    this.assertOpen();
    return this.guard(this.requestCancel(id));
  }

  private async requestCancel(id: string): Promise<JobRecord> {
    const current = await this.fetchRecord(id);
    if (!current) throw new JobNotFoundError(id);
    if (current.state === 'cancelled') return current;
    if (current.state === 'completed' || current.state === 'failed') {
      throw new JobAlreadyFinishedError(id, current.state);
    }
    try {
      if (current.state === 'queued' || current.state === 'delayed') {
        const job = await this.queue.getJob(id);
        // BullMQ refuses to remove a locked job: a worker took it meanwhile, so it is running now.
        const removed = job
          ? await job.remove().then(
              () => true,
              () => false,
            )
          : false;
        if (job && removed) {
          const record: JobRecord = { ...this.toRecord(job, 'cancelled'), finishedAt: Date.now() };
          await this.cancellations.record(record);
          if (record.tenantId !== undefined && job.attemptsStarted === 0)
            this.fairness.leave(record.tenantId);
          await this.cancellations.announce(this.queue.keys.events as string, CANCELLED_EVENT, id);
          return record;
        }
      }
      // Running (or just taken): the marker covers a worker that picks the job up again after a
      // crash or a hand-back; the stream event reaches the worker that runs it, in any process.
      await this.cancellations.request(id);
      await this.cancellations.announce(this.queue.keys.events as string, CANCEL_REQUESTED_EVENT, id);
    } catch (error) {
      throw unavailable(error, this.name);
    }
    const now = await this.fetchRecord(id);
    if (now?.state === 'completed' || now?.state === 'failed')
      throw new JobAlreadyFinishedError(id, now.state);
    return now ?? current;
  }

  subscribe(listener: JobEventListener): () => void {
    this.assertOpen();
    this.listeners.add(listener);
    this.ensureEvents();
    return () => {
      this.listeners.delete(listener);
    };
  }

  createWorker(handlers: JobHandlers, options: WorkerOptions = {}): BullmqJobWorker {
    this.assertOpen();
    const worker = new BullmqJobWorker(
      {
        queueName: this.name,
        connection: this.connection,
        prefix: this.prefix,
        fairness: this.fairness,
        cancellations: this.cancellations,
        telemetry: this.telemetry,
        onClosed: (closed) => this.workers.delete(closed),
      },
      handlers,
      options,
    );
    this.workers.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.workers].map((worker) => worker.close({ deadlineMs: 0 })));
    this.telemetry.close();
    this.listeners.clear();
    await Promise.allSettled([this.events?.close(), this.queue.close()]);
    await this.eventChain;
    await Promise.allSettled([this.fairness.close(), this.queueLease.release(), this.eventsLease?.release()]);
  }

  // ---- internals ----

  private toBullmq(
    payload: unknown,
    options: ResolvedEnqueueOptions,
    carrier: TraceCarrier,
    rank: number,
  ): { data: Envelope; opts: JobsOptions } {
    const data: Envelope = {
      p: payload,
      ...(options.tenantId === undefined ? {} : { t: options.tenantId }),
      ...(options.idempotencyKey === undefined ? {} : { k: options.idempotencyKey, n: randomUUID() }),
      ...(Object.keys(carrier).length === 0 ? {} : { c: carrier }),
      b: [options.backoff.baseMs, options.backoff.maxMs, options.backoff.jitter],
      ...(options.timeoutMs === undefined ? {} : { o: options.timeoutMs }),
      r: options.priority,
    };
    const opts: JobsOptions = {
      priority: orderingPriority(options.priority, rank),
      attempts: options.attempts,
      backoff: { type: BACKOFF_TYPE, delay: options.backoff.baseMs },
      removeOnComplete: this.removeOnComplete,
      removeOnFail: this.removeOnFail,
    };
    if (options.delayMs > 0) opts.delay = options.delayMs;
    if (options.idempotencyKey !== undefined) {
      // BullMQ keeps job ids unique: a second add with this id returns the first job untouched.
      opts.jobId = idempotentJobId(options.tenantId, options.idempotencyKey);
    }
    return { data, opts };
  }

  /** Returns the stored job for an idempotent enqueue; undoes the fairness count of a duplicate. */
  private async settleIdempotent(id: string, sent: Envelope): Promise<JobRecord> {
    const stored = await this.getJob(id);
    if (!stored)
      throw new QueueUnavailableError(`queue ${this.name}: job ${id} vanished right after enqueue`);
    const job = await this.queue.getJob(id);
    const isDuplicate = job !== undefined && readEnvelope(job.data).n !== sent.n;
    if (isDuplicate && sent.t !== undefined) this.fairness.leave(sent.t);
    return stored;
  }

  /** The record of a job just added, without another round trip. */
  private freshRecord<P>(job: Job, name: string, payload: P, options: ResolvedEnqueueOptions): JobRecord<P> {
    return {
      id: job.id as string,
      name,
      queue: this.name,
      tenantId: options.tenantId,
      idempotencyKey: options.idempotencyKey,
      payload,
      state: options.delayMs > 0 ? 'delayed' : 'queued',
      priority: options.priority,
      progress: 0,
      result: undefined,
      error: undefined,
      attempts: 0,
      maxAttempts: options.attempts,
      createdAt: job.timestamp,
      startedAt: undefined,
      finishedAt: undefined,
    };
  }

  private toRecord(job: Job, state: JobState): JobRecord {
    return jobRecord(this.name, job, state);
  }

  /**
   * One QueueEvents reader (Redis stream) per queue object, started on the first subscription and
   * positioned at "now", so events are seen from every process and nothing after `subscribe` is missed.
   */
  private ensureEvents(): void {
    if (this.events) return;
    this.eventsLease = leaseBullmqConnection(this.connection);
    const events = new QueueEvents(this.name, {
      connection: this.eventsLease.connection,
      prefix: this.prefix,
      // Stream ids are `<ms>-<seq>` and XREAD returns ids strictly greater than this one: the last
      // possible id of the previous millisecond, so an event written in this very millisecond counts.
      lastEventId: `${Date.now() - 1}-18446744073709551615`,
    });
    events.on('error', this.reportEventsError);
    const on = (
      name: string,
      map: (args: Record<string, string>) => Promise<JobEvent | undefined> | JobEvent | undefined,
    ): void => {
      (events as unknown as { on(event: string, fn: (args: Record<string, string>) => void): void }).on(
        name,
        (args) => {
          // Serialised: a mapping that needs a lookup must not overtake the job's next event.
          this.eventChain = this.eventChain.then(async () => {
            try {
              const event = await map(args);
              if (event) for (const listener of this.listeners) listener(event);
            } catch {
              // A listener's failure (or a lookup on a closing queue) must not stop the stream.
            }
          });
        },
      );
    };
    const now = (): number => Date.now();
    on('waiting', async ({ jobId, prev }) => {
      if (prev === 'failed' && (await this.attemptsMade(jobId)) > 0) {
        return { type: 'retrying', jobId: jobId as string, delayMs: 0, timestamp: now() };
      }
      return { type: 'queued', jobId: jobId as string, timestamp: now() };
    });
    on('delayed', async ({ jobId, delay }) => {
      const delayMs = Math.max(0, Number(delay) - now());
      return (await this.attemptsMade(jobId)) > 0
        ? { type: 'retrying', jobId: jobId as string, delayMs, timestamp: now() }
        : { type: 'delayed', jobId: jobId as string, delayMs, timestamp: now() };
    });
    on('active', ({ jobId }) => ({ type: 'active', jobId: jobId as string, timestamp: now() }));
    on('progress', (args) => ({
      type: 'progress',
      jobId: args.jobId as string,
      progress: readProgress((args as unknown as { data: unknown }).data),
      timestamp: now(),
    }));
    on('completed', (args) => ({
      type: 'completed',
      jobId: args.jobId as string,
      result: (args as unknown as { returnvalue: unknown }).returnvalue ?? undefined,
      timestamp: now(),
    }));
    on(CANCELLED_EVENT, ({ jobId }) => ({ type: 'cancelled', jobId: jobId as string, timestamp: now() }));
    on('failed', ({ jobId, failedReason }) =>
      decodeError(failedReason)?.code === JOB_CANCELLED
        ? { type: 'cancelled', jobId: jobId as string, timestamp: now() }
        : {
            type: 'failed',
            jobId: jobId as string,
            error: decodeError(failedReason) ?? { code: 'JOB_FAILED', message: 'failed', retryable: false },
            timestamp: now(),
          },
    );
    this.events = events;
  }

  private async attemptsMade(id: string | undefined): Promise<number> {
    if (!id) return 0;
    const job = await this.queue.getJob(id);
    return job?.attemptsMade ?? 0;
  }

  /**
   * Bounds a Redis operation: while Redis is unreachable, ioredis queues commands and BullMQ waits
   * for the connection without limit, so a caller would hang. The operation itself is not
   * cancelled: a timed-out enqueue may still be stored once Redis answers (retry it with an
   * idempotency key).
   */
  private guard<T>(operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new QueueUnavailableError(
              `queue ${this.name}: Redis did not answer within ${this.operationTimeoutMs} ms`,
              {
                queue: this.name,
              },
            ),
          ),
        this.operationTimeoutMs,
      );
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  private assertOpen(): void {
    if (this.closed) throw new QueueUnavailableError(`queue ${this.name} is closed`, { queue: this.name });
  }
}
