import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { AiScaleError } from '@ai-scale/errors';
import { ATTR, METRIC, SPAN, withSpan } from '@ai-scale/telemetry';
import { createInMemoryTelemetry, type InMemoryTelemetry } from '@ai-scale/telemetry/testing';
import {
  InvalidJobOptionsError,
  JobAlreadyFinishedError,
  JobCancelledError,
  JobNotFoundError,
  NonRetryableJobError,
} from '../errors';
import type {
  JobEvent,
  JobHandlers,
  JobQueue,
  JobRecord,
  JobState,
  JobWorker,
  WorkerOptions,
} from '../ports';

/** The test functions the suite needs (jest's and vitest's globals fit). */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
  beforeAll(body: () => unknown, timeoutMs?: number): void;
  afterAll(body: () => unknown, timeoutMs?: number): void;
  afterEach(body: () => unknown, timeoutMs?: number): void;
}

export interface JobQueueContractFixture {
  /** A new, empty queue (a fresh name each call). Called after the suite's telemetry is registered. */
  createQueue(): JobQueue | Promise<JobQueue>;
  /**
   * Makes `worker` stop as if its process had been SIGKILLed: no graceful shutdown, no hand-back,
   * its locks simply stop being renewed.
   */
  crashWorker(worker: JobWorker): void | Promise<void>;
  /** Runs once after the suite (close shared connections, delete keys the queues created). */
  cleanup?(): Promise<void>;
}

/** Opt-outs, declared in one place by the adapter. Every guarantee is on by default. */
export interface JobQueueCapabilities {
  /** Jobs of a crashed worker are recovered by another worker (default true). */
  readonly crashRecovery?: boolean;
  /** Size of the tenant burst in the fairness test (default 10,000, as the issue asks). */
  readonly fairnessBurst?: number;
}

/**
 * Locks long enough that a loaded machine never lets a live worker's lock lapse (which would re-run
 * a job and break the run counts the tests assert); the crash test shortens them for itself.
 */
const TEST_WORKER: WorkerOptions = {
  lockDurationMs: 5_000,
  stalledIntervalMs: 1_000,
  shutdownDeadlineMs: 2_000,
};
/** Short locks and stall checks so that crash recovery is observable in about a second. */
const CRASH_TEST_WORKER: WorkerOptions = { lockDurationMs: 600, stalledIntervalMs: 150 };
const FAST_BACKOFF = { type: 'exponential', baseMs: 10, maxMs: 40, jitter: 0.5 } as const;

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

class NotRetryableUserError extends AiScaleError {
  readonly code = 'CONTRACT_NOT_RETRYABLE';
  readonly category = 'USER' as const;
  constructor() {
    super({ message: 'bad input, do not retry' });
  }
}

/**
 * The one test suite every `JobQueue` adapter must pass: each guarantee of the port, end to end,
 * through the port only. Timing is never asserted except as a lower bound the guarantee implies
 * (a backoff cannot have elapsed sooner than its minimum).
 */
export function jobQueueContract(
  api: ContractTestApi,
  fixture: JobQueueContractFixture,
  capabilities: JobQueueCapabilities = {},
): void {
  const { describe, it, beforeAll, afterAll, afterEach } = api;
  const crashRecovery = capabilities.crashRecovery ?? true;
  const fairnessBurst = capabilities.fairnessBurst ?? 10_000;

  describe('JobQueue contract', () => {
    let telemetry: InMemoryTelemetry;
    let queues: JobQueue[] = [];
    let workers: JobWorker[] = [];

    beforeAll(() => {
      telemetry = createInMemoryTelemetry();
    });
    afterEach(async () => {
      await Promise.all(workers.map((worker) => worker.close({ deadlineMs: 0 })));
      await Promise.all(queues.map((queue) => queue.close()));
      workers = [];
      queues = [];
    }, 20_000);
    afterAll(async () => {
      await fixture.cleanup?.();
      await telemetry.shutdown();
    }, 20_000);

    async function newQueue(): Promise<JobQueue> {
      const queue = await fixture.createQueue();
      queues.push(queue);
      return queue;
    }

    async function startWorker(
      queue: JobQueue,
      handlers: JobHandlers,
      options: WorkerOptions = {},
    ): Promise<JobWorker> {
      const worker = queue.createWorker(handlers, { ...TEST_WORKER, ...options });
      workers.push(worker);
      await worker.start();
      return worker;
    }

    async function waitForState(
      queue: JobQueue,
      id: string,
      state: JobState,
      timeoutMs = 10_000,
    ): Promise<JobRecord> {
      let last: JobRecord | undefined;
      await waitFor(
        async () => {
          last = await queue.getJob(id);
          return last?.state === state;
        },
        `job ${id} to be ${state} (is ${last?.state ?? 'missing'})`,
        timeoutMs,
      );
      return last as JobRecord;
    }

    describe('enqueue and getJob', () => {
      it('stores a queued job and returns it by id', async () => {
        const queue = await newQueue();
        const job = await queue.enqueue(
          'email',
          { to: 'a@example.com', n: [1, 2] },
          { tenantId: 't1', attempts: 4 },
        );
        assert.equal(job.state, 'queued');
        assert.equal(job.name, 'email');
        assert.equal(job.tenantId, 't1');
        assert.equal(job.maxAttempts, 4);
        assert.equal(job.attempts, 0);
        assert.equal(job.priority, 16);
        assert.deepEqual(job.payload, { to: 'a@example.com', n: [1, 2] });
        const stored = await queue.getJob(job.id);
        assert.equal(stored?.id, job.id);
        assert.equal(stored?.state, 'queued');
        assert.deepEqual(stored?.payload, { to: 'a@example.com', n: [1, 2] });
        assert.equal(await queue.getJob('no-such-job'), undefined);
        assert.equal((await queue.counts()).queued, 1);
      });

      it('rejects bad options and non-JSON payloads with InvalidJobOptionsError, storing nothing', async () => {
        const queue = await newQueue();
        const bad: Array<() => Promise<unknown>> = [
          () => queue.enqueue('', {}),
          () => queue.enqueue('x', { at: new Date() }),
          () => queue.enqueue('x', { f: () => 1 }),
          () => queue.enqueue('x', { n: Number.NaN }),
          () => queue.enqueue('x', undefined),
          () => queue.enqueue('x', {}, { priority: 0 }),
          () => queue.enqueue('x', {}, { attempts: 0 }),
          () => queue.enqueue('x', {}, { delayMs: -1 }),
          () => queue.enqueue('x', {}, { backoff: { type: 'exponential', jitter: 2 } }),
          () => queue.enqueue('x', {}, { unknownOption: true } as never),
          () =>
            queue.enqueueBulk([
              { name: 'ok', payload: 1 },
              { name: 'bad', payload: 2, options: { timeoutMs: 0 } },
            ]),
        ];
        for (const attempt of bad) {
          await assert.rejects(attempt(), (error: unknown) => {
            assert.ok(error instanceof InvalidJobOptionsError, String(error));
            assert.equal(error.code, 'INVALID_JOB_OPTIONS');
            assert.equal(error.category, 'USER');
            return true;
          });
        }
        const counts = await queue.counts();
        assert.equal(counts.queued + counts.delayed, 0, 'nothing may be stored');
      });

      it('rejects bad worker options with InvalidJobOptionsError', async () => {
        const queue = await newQueue();
        for (const options of [
          { concurrency: 0 },
          { rateLimit: { max: 0, durationMs: 10 } },
          { lockDurationMs: -1 },
        ]) {
          assert.throws(() => queue.createWorker({}, options), InvalidJobOptionsError);
        }
      });

      it('enqueueBulk stores every job and returns them in order', async () => {
        const queue = await newQueue();
        const jobs = await queue.enqueueBulk([
          { name: 'a', payload: 1 },
          { name: 'b', payload: 2, options: { tenantId: 't', delayMs: 60_000 } },
        ]);
        assert.deepEqual(
          jobs.map((job) => [job.name, job.payload, job.state]),
          [
            ['a', 1, 'queued'],
            ['b', 2, 'delayed'],
          ],
        );
        const counts = await queue.counts();
        assert.equal(counts.queued, 1);
        assert.equal(counts.delayed, 1);
      });
    });

    describe('processing', () => {
      it('runs the handler with the job, stores its result and progress, and emits events in order', async () => {
        const queue = await newQueue();
        const events: JobEvent[] = [];
        const unsubscribe = queue.subscribe((event) => events.push(event));
        const seen = deferred<{ payload: unknown; tenantId: string | undefined; attempt: number }>();
        const original = { text: 'hello' };
        const job = await queue.enqueue('summarise', original, { tenantId: 'acme' });
        original.text = 'mutated after enqueue';
        await startWorker(queue, {
          // Destructured on purpose: the context's members must not depend on `this`.
          summarise: async ({ payload, tenantId, attempt, updateProgress }) => {
            seen.resolve({ payload, tenantId, attempt });
            await updateProgress(50);
            await updateProgress({ step: 'done' });
            return { words: 1 };
          },
        });
        const done = await waitForState(queue, job.id, 'completed');
        assert.deepEqual(await seen.promise, { payload: { text: 'hello' }, tenantId: 'acme', attempt: 1 });
        assert.deepEqual(done.result, { words: 1 });
        assert.deepEqual(done.progress, { step: 'done' });
        assert.equal(done.attempts, 1);
        assert.ok(
          done.startedAt !== undefined && done.finishedAt !== undefined && done.finishedAt >= done.createdAt,
        );
        await waitFor(
          () => events.some((event) => event.jobId === job.id && event.type === 'completed'),
          'the completed event',
        );
        const types = events.filter((event) => event.jobId === job.id).map((event) => event.type);
        assert.deepEqual(
          types.filter((type) => type !== 'progress'),
          ['queued', 'active', 'completed'],
        );
        assert.equal(types.filter((type) => type === 'progress').length, 2);
        const completed = events.find((event) => event.type === 'completed');
        assert.deepEqual(completed?.type === 'completed' ? completed.result : undefined, { words: 1 });
        unsubscribe();
        const before = events.length;
        const second = await queue.enqueue('summarise', { text: 'again' });
        await waitForState(queue, second.id, 'completed');
        assert.equal(events.length, before, 'an unsubscribed listener hears nothing');
      });

      it('fails a job whose name has no handler for good', async () => {
        const queue = await newQueue();
        const job = await queue.enqueue('unknown-kind', {}, { attempts: 5 });
        await startWorker(queue, { other: async () => 1 });
        const failed = await waitForState(queue, job.id, 'failed');
        assert.equal(failed.error?.code, 'JOB_NO_HANDLER');
        assert.equal(failed.attempts, 1);
      });

      it('never runs more than `concurrency` attempts at once', async () => {
        const queue = await newQueue();
        let running = 0;
        let maxRunning = 0;
        const release = deferred();
        await queue.enqueueBulk(Array.from({ length: 7 }, (_, i) => ({ name: 'work', payload: i })));
        const worker = await startWorker(
          queue,
          {
            work: async () => {
              running++;
              maxRunning = Math.max(maxRunning, running);
              await release.promise;
              running--;
            },
          },
          { concurrency: 3 },
        );
        await waitFor(() => running === 3, 'three attempts running');
        assert.equal(worker.activeCount, 3);
        release.resolve();
        await waitFor(async () => (await queue.counts()).completed === 7, 'all jobs to complete');
        assert.equal(maxRunning, 3);
      });

      it('starts at most `rateLimit.max` jobs per `durationMs` across workers', async () => {
        const queue = await newQueue();
        const rateLimit = { max: 2, durationMs: 250 };
        const jobs = await queue.enqueueBulk(
          Array.from({ length: 6 }, (_, i) => ({ name: 'call', payload: i })),
        );
        const handlers = { call: async () => null };
        await startWorker(queue, handlers, { concurrency: 4, rateLimit });
        await startWorker(queue, handlers, { concurrency: 4, rateLimit });
        await waitFor(async () => (await queue.counts()).completed === 6, 'all jobs to complete');
        // When each job was taken, on the limiter's own clock (`startedAt` is stamped as the job is
        // handed out): a handler's own Date.now() also measures how late the loaded machine ran it.
        const starts = (await Promise.all(jobs.map((job) => queue.getJob(job.id)))).map(
          (record) => record?.startedAt as number,
        );
        starts.sort((a, b) => a - b);
        // A limiter window holds at most `max` starts and opens at least `durationMs` after the
        // previous one, so the i-th start is at least floor(i / max) windows after the first.
        for (let i = 1; i < starts.length; i++) {
          const elapsed = (starts[i] as number) - (starts[0] as number);
          const minimum = Math.floor(i / rateLimit.max) * rateLimit.durationMs;
          // 5 ms of slack for millisecond rounding between the limiter's clock and the stamp.
          assert.ok(
            elapsed >= minimum - 5,
            `start ${i} came ${elapsed} ms after the first (at least ${minimum})`,
          );
        }
      });

      it('aborts the signal and fails the attempt with JOB_TIMEOUT after timeoutMs', async () => {
        const queue = await newQueue();
        const aborted = deferred<unknown>();
        const job = await queue.enqueue('slow', {}, { timeoutMs: 50, attempts: 1 });
        await startWorker(queue, {
          slow: (context) =>
            new Promise((_, reject) => {
              context.signal.addEventListener('abort', () => {
                aborted.resolve(context.signal.reason);
                reject(new Error('stopped'));
              });
            }),
        });
        const failed = await waitForState(queue, job.id, 'failed');
        assert.equal(failed.error?.code, 'JOB_TIMEOUT');
        assert.equal(((await aborted.promise) as { code?: string }).code, 'JOB_TIMEOUT');
      });
    });

    describe('idempotency', () => {
      it('returns the existing job for a repeated key and runs the handler once', async () => {
        const queue = await newQueue();
        let runs = 0;
        const [first, concurrent] = await Promise.all([
          queue.enqueue('charge', { cents: 100 }, { tenantId: 't1', idempotencyKey: 'order-1' }),
          queue.enqueue('charge', { cents: 100 }, { tenantId: 't1', idempotencyKey: 'order-1' }),
        ]);
        assert.equal(concurrent.id, first.id);
        await startWorker(queue, {
          charge: async () => {
            runs++;
            return runs;
          },
        });
        await waitForState(queue, first.id, 'completed');
        const after = await queue.enqueue(
          'charge',
          { cents: 999 },
          { tenantId: 't1', idempotencyKey: 'order-1' },
        );
        assert.equal(after.id, first.id);
        assert.equal(after.state, 'completed');
        assert.deepEqual(after.payload, { cents: 100 }, 'the existing job is returned, not the new payload');
        const otherTenant = await queue.enqueue(
          'charge',
          { cents: 100 },
          { tenantId: 't2', idempotencyKey: 'order-1' },
        );
        assert.notEqual(otherTenant.id, first.id, 'keys are scoped per tenant');
        await waitForState(queue, otherTenant.id, 'completed');
        assert.equal(runs, 2);
        assert.equal((await queue.counts()).completed, 2);
      });
    });

    describe('ordering', () => {
      it('runs lower priority numbers first', async () => {
        const queue = await newQueue();
        const order: number[] = [];
        for (const priority of [20, 1, 16, 32]) await queue.enqueue('p', priority, { priority });
        await startWorker(queue, {
          p: async (context) => {
            order.push(context.payload as number);
          },
        });
        await waitFor(() => order.length === 4, 'four jobs');
        assert.deepEqual(order, [1, 16, 20, 32]);
      });

      it('runs a delayed job only after its delay, behind ready ones', async () => {
        const queue = await newQueue();
        const order: string[] = [];
        const enqueuedAt = Date.now();
        const delayed = await queue.enqueue('d', 'late', { delayMs: 150 });
        assert.equal(delayed.state, 'delayed');
        await queue.enqueue('d', 'now');
        let lateStartedAt = 0;
        await startWorker(queue, {
          d: async (context) => {
            if (context.payload === 'late') lateStartedAt = Date.now();
            order.push(context.payload as string);
          },
        });
        await waitForState(queue, delayed.id, 'completed');
        assert.deepEqual(order, ['now', 'late']);
        assert.ok(
          lateStartedAt - enqueuedAt >= 150 - 5,
          `started ${lateStartedAt - enqueuedAt} ms after enqueue`,
        );
      });

      it('interleaves tenants round-robin within a priority', async () => {
        const queue = await newQueue();
        const order: string[] = [];
        for (const tenantId of ['a', 'a', 'a', 'b', 'b', 'c']) {
          await queue.enqueue('t', tenantId, { tenantId });
        }
        await startWorker(queue, {
          t: async (context) => {
            order.push(context.tenantId as string);
          },
        });
        await waitFor(() => order.length === 6, 'six jobs');
        assert.deepEqual(order, ['a', 'b', 'c', 'a', 'b', 'a']);
      });

      it('keeps each tenant FIFO when jobs are enqueued while earlier ones of the tenant run', async () => {
        const queue = await newQueue();
        const order: number[] = [];
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        for (let i = 0; i < 6; i++) await queue.enqueue('f', i, { tenantId: 'a' });
        await startWorker(
          queue,
          {
            f: async (context) => {
              order.push(context.payload as number);
              // Hold after the first three jobs so that more arrive while 3, 4, 5 still wait.
              if (order.length === 3) await gate;
            },
          },
          { concurrency: 1 },
        );
        await waitFor(() => order.length === 3, 'three jobs');
        for (let i = 6; i < 9; i++) await queue.enqueue('f', i, { tenantId: 'a' });
        release();
        await waitFor(() => order.length === 9, 'nine jobs');
        assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
      });

      it(`does not let one tenant's burst of ${fairnessBurst} jobs starve another tenant's single job`, async () => {
        const queue = await newQueue();
        const order: string[] = [];
        const chunk = 2_000;
        for (let start = 0; start < fairnessBurst; start += chunk) {
          await queue.enqueueBulk(
            Array.from({ length: Math.min(chunk, fairnessBurst - start) }, (_, i) => ({
              name: 'burst',
              payload: start + i,
              options: { tenantId: 'noisy' },
            })),
          );
        }
        const single = await queue.enqueue('burst', 'single', { tenantId: 'quiet' });
        await startWorker(queue, {
          burst: async (context) => {
            order.push(context.tenantId as string);
          },
        });
        await waitForState(queue, single.id, 'completed');
        const position = order.indexOf('quiet');
        assert.ok(position >= 0 && position <= 1, `the quiet tenant's job ran at position ${position}`);
      }, 60_000);

      it('priority wins over tenant fairness', async () => {
        const queue = await newQueue();
        const order: string[] = [];
        for (let i = 0; i < 3; i++) await queue.enqueue('x', `busy-${i}`, { tenantId: 'busy', priority: 5 });
        await queue.enqueue('x', 'fresh', { tenantId: 'fresh', priority: 16 });
        await startWorker(queue, {
          x: async (context) => {
            order.push(context.payload as string);
          },
        });
        await waitFor(() => order.length === 4, 'four jobs');
        assert.deepEqual(order, ['busy-0', 'busy-1', 'busy-2', 'fresh']);
      });
    });

    describe('retries and dead-letter', () => {
      it('retries a failing job with exponential backoff, then completes it', async () => {
        const queue = await newQueue();
        const starts: number[] = [];
        const events: JobEvent[] = [];
        queue.subscribe((event) => events.push(event));
        const job = await queue.enqueue(
          'flaky',
          {},
          { attempts: 3, backoff: { ...FAST_BACKOFF, baseMs: 60, maxMs: 1_000 } },
        );
        await startWorker(queue, {
          flaky: async (context) => {
            starts.push(Date.now());
            if (context.attempt < 3) throw new Error(`boom ${context.attempt}`);
            return 'ok';
          },
        });
        const done = await waitForState(queue, job.id, 'completed');
        assert.equal(done.attempts, 3);
        assert.equal(done.result, 'ok');
        assert.equal(starts.length, 3);
        // Backoff before attempt n+1 is 60 × 2^(n−1) ms, jittered down by at most half.
        assert.ok((starts[1] as number) - (starts[0] as number) >= 30 - 5, 'first backoff elapsed');
        assert.ok((starts[2] as number) - (starts[1] as number) >= 60 - 5, 'second backoff elapsed');
        await waitFor(
          () => events.some((event) => event.jobId === job.id && event.type === 'completed'),
          'events',
        );
        assert.equal(events.filter((event) => event.jobId === job.id && event.type === 'retrying').length, 2);
      });

      it('caps the backoff at maxMs', async () => {
        const queue = await newQueue();
        const job = await queue.enqueue(
          'flaky',
          {},
          {
            attempts: 3,
            // Uncapped, the second retry would wait 20 minutes and the test would time out.
            backoff: { type: 'exponential', baseMs: 600_000, maxMs: 30, jitter: 0 },
          },
        );
        await startWorker(queue, {
          flaky: async (context) => {
            if (context.attempt < 3) throw new Error('again');
          },
        });
        await waitForState(queue, job.id, 'completed');
      });

      it('dead-letters a job that exhausts its attempts; it can be listed, inspected and retried', async () => {
        const queue = await newQueue();
        let shouldFail = true;
        const events: JobEvent[] = [];
        queue.subscribe((event) => events.push(event));
        const job = await queue.enqueue('fragile', { id: 7 }, { attempts: 2, backoff: FAST_BACKOFF });
        const other = await queue.enqueue('fragile', { id: 8 }, { attempts: 1 });
        await startWorker(queue, {
          fragile: async (context) => {
            if (shouldFail) throw new Error(`cannot do ${JSON.stringify(context.payload)}`);
            return 'recovered';
          },
        });
        const failed = await waitForState(queue, job.id, 'failed');
        await waitForState(queue, other.id, 'failed');
        assert.equal(failed.attempts, 2);
        assert.deepEqual(failed.error, {
          code: 'JOB_FAILED',
          message: 'cannot do {"id":7}',
          retryable: true,
        });
        assert.equal((await queue.counts()).failed, 2);

        const all = await queue.listDeadLetters();
        assert.deepEqual(new Set(all.map((record) => record.id)), new Set([job.id, other.id]));
        assert.ok(all.every((record) => record.state === 'failed'));
        const firstPage = await queue.listDeadLetters({ limit: 1 });
        const secondPage = await queue.listDeadLetters({ limit: 1, offset: 1 });
        assert.equal(firstPage.length, 1);
        assert.equal(secondPage.length, 1);
        assert.notEqual(firstPage[0]?.id, secondPage[0]?.id);
        await waitFor(
          () => events.some((event) => event.jobId === job.id && event.type === 'failed'),
          'failed event',
        );

        shouldFail = false;
        const retried = await queue.retryDeadLetter(job.id);
        assert.equal(retried.id, job.id);
        assert.ok(retried.state === 'queued' || retried.state === 'active' || retried.state === 'completed');
        const completed = await waitForState(queue, job.id, 'completed');
        assert.equal(completed.result, 'recovered');
        assert.deepEqual(
          (await queue.listDeadLetters()).map((record) => record.id),
          [other.id],
        );
        await assert.rejects(queue.retryDeadLetter(job.id), JobNotFoundError);
        await assert.rejects(queue.retryDeadLetter('no-such-job'), JobNotFoundError);
      });

      it('skips the remaining attempts on a non-retryable error', async () => {
        const queue = await newQueue();
        const attempts = new Map<string, number>();
        const typed = await queue.enqueue('typed', {}, { attempts: 5, backoff: FAST_BACKOFF });
        const custom = await queue.enqueue('custom', {}, { attempts: 5, backoff: FAST_BACKOFF });
        const count = (name: string): void => {
          attempts.set(name, (attempts.get(name) ?? 0) + 1);
        };
        await startWorker(queue, {
          typed: async () => {
            count('typed');
            throw new NonRetryableJobError('document is corrupt');
          },
          custom: async () => {
            count('custom');
            throw new NotRetryableUserError();
          },
        });
        const typedFailed = await waitForState(queue, typed.id, 'failed');
        const customFailed = await waitForState(queue, custom.id, 'failed');
        assert.deepEqual(typedFailed.error, {
          code: 'JOB_NON_RETRYABLE',
          message: 'document is corrupt',
          retryable: false,
        });
        assert.equal(customFailed.error?.code, 'CONTRACT_NOT_RETRYABLE');
        assert.equal(typedFailed.attempts, 1);
        assert.deepEqual(Object.fromEntries(attempts), { typed: 1, custom: 1 });
      });
    });

    describe('cancellation', () => {
      it('cancels a queued and a delayed job: they never run, end cancelled, and cancel is idempotent', async () => {
        const queue = await newQueue();
        const events: JobEvent[] = [];
        queue.subscribe((event) => events.push(event));
        const queued = await queue.enqueue('work', { n: 1 }, { tenantId: 'a' });
        const delayed = await queue.enqueue('work', { n: 2 }, { tenantId: 'a', delayMs: 150 });
        const cancelledQueued = await queue.cancel(queued.id);
        assert.equal(cancelledQueued.state, 'cancelled');
        assert.equal((await queue.cancel(delayed.id)).state, 'cancelled');
        // Twice is fine: the same terminal record.
        assert.equal((await queue.cancel(queued.id)).state, 'cancelled');
        const ran: number[] = [];
        await startWorker(queue, {
          work: async ({ payload }) => {
            ran.push((payload as { n: number }).n);
            return null;
          },
        });
        // A later job of the same tenant, after the delay: once it completed, the cancelled ones
        // would have run before it (FIFO within the tenant, the delay has passed).
        const later = await queue.enqueue('work', { n: 3 }, { tenantId: 'a', delayMs: 300 });
        await waitForState(queue, later.id, 'completed');
        assert.deepEqual(ran, [3]);
        for (const id of [queued.id, delayed.id]) {
          const record = await queue.getJob(id);
          assert.equal(record?.state, 'cancelled');
          assert.equal(record?.attempts, 0);
          assert.ok(record?.finishedAt !== undefined);
        }
        const counts = await queue.counts();
        assert.equal(counts.cancelled, 2);
        assert.equal(counts.queued + counts.delayed, 0);
        assert.deepEqual(await queue.listDeadLetters(), []);
        await waitFor(
          () => events.filter((event) => event.type === 'cancelled').length === 2,
          'two cancelled events',
        );
        assert.deepEqual(
          events.filter((event) => event.type === 'cancelled').map((event) => event.jobId),
          [queued.id, delayed.id],
        );
      });

      it("aborts a running job's signal with JobCancelledError; the job ends cancelled, never retried", async () => {
        const queue = await newQueue();
        const events: JobEvent[] = [];
        queue.subscribe((event) => events.push(event));
        const started = deferred();
        let reason: unknown;
        let attempts = 0;
        await startWorker(queue, {
          long: async ({ signal }) => {
            attempts++;
            started.resolve();
            await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
            reason = signal.reason;
            return 'finished anyway'; // ignored: the abort decided the attempt
          },
        });
        const job = await queue.enqueue('long', {}, { attempts: 3 });
        await started.promise;
        const requested = await queue.cancel(job.id);
        assert.ok(requested.state === 'active' || requested.state === 'cancelled');
        const record = await waitForState(queue, job.id, 'cancelled');
        assert.ok(JobCancelledError.isInstance(reason) && (reason as JobCancelledError).jobId === job.id);
        assert.equal(record.result, undefined);
        assert.equal(record.error, undefined);
        assert.equal((await queue.cancel(job.id)).state, 'cancelled');
        await waitFor(
          () => events.some((event) => event.type === 'cancelled' && event.jobId === job.id),
          'cancelled event',
        );
        assert.ok(!events.some((event) => event.type === 'failed' || event.type === 'retrying'));
        // Another job still runs on the same worker afterwards; the cancelled one never ran again.
        const next = await queue.enqueue('long', {}, { timeoutMs: 50, attempts: 1 });
        await waitForState(queue, next.id, 'failed');
        assert.equal(attempts, 2);
        assert.equal((await queue.getJob(job.id))?.state, 'cancelled');
        assert.deepEqual(
          (await queue.listDeadLetters()).map((dead) => dead.id),
          [next.id],
        );
      });

      if (crashRecovery) {
        it('cancels a job whose worker died mid-attempt: the worker that recovers it never runs it', async () => {
          const queue = await newQueue();
          const started = deferred();
          let runs = 0;
          const doomed = await startWorker(
            queue,
            {
              long: async () => {
                runs++;
                started.resolve();
                return new Promise(() => undefined); // its process is about to die
              },
            },
            CRASH_TEST_WORKER,
          );
          const job = await queue.enqueue('long', {});
          await started.promise;
          await fixture.crashWorker(doomed);
          await queue.cancel(job.id);
          await startWorker(
            queue,
            {
              long: async () => {
                runs++;
                return null;
              },
            },
            CRASH_TEST_WORKER,
          );
          await waitForState(queue, job.id, 'cancelled');
          assert.equal(runs, 1);
        });
      }

      it('refuses to cancel a finished job (JobAlreadyFinishedError) and an unknown one (JobNotFoundError)', async () => {
        const queue = await newQueue();
        await startWorker(queue, {
          ok: async () => 'done',
          bad: async () => {
            throw new NonRetryableJobError('no');
          },
        });
        const done = await queue.enqueue('ok', {});
        const failed = await queue.enqueue('bad', {});
        await waitForState(queue, done.id, 'completed');
        await waitForState(queue, failed.id, 'failed');
        await assert.rejects(queue.cancel(done.id), (error: unknown) => {
          assert.ok(error instanceof JobAlreadyFinishedError);
          assert.equal(error.code, 'JOB_ALREADY_FINISHED');
          assert.equal(error.state, 'completed');
          return true;
        });
        await assert.rejects(queue.cancel(failed.id), JobAlreadyFinishedError);
        await assert.rejects(queue.cancel('no-such-job'), JobNotFoundError);
        assert.equal((await queue.getJob(done.id))?.state, 'completed');
      });
    });

    describe('worker health', () => {
      it('reads healthy while started and not after close', async () => {
        const queue = await newQueue();
        const worker = queue.createWorker({}, TEST_WORKER);
        workers.push(worker);
        assert.equal(worker.health().healthy, false);
        await worker.start();
        const health = worker.health();
        assert.equal(health.healthy, true);
        assert.equal(health.running, true);
        assert.equal(health.backendReachable, true);
        await worker.close({ deadlineMs: 0 });
        assert.equal(worker.health().healthy, false);
        assert.equal(worker.health().running, false);
      });
    });

    describe('shutdown and crashes', () => {
      it('close() stops taking jobs, lets active ones finish, and hands back those past the deadline', async () => {
        const queue = await newQueue();
        const quickStarted = deferred();
        const stubbornStarted = deferred();
        const finishQuick = deferred();
        let stubbornAborted = false;
        const quick = await queue.enqueue('quick', {});
        const stubborn = await queue.enqueue('stubborn', {}, { attempts: 1 });
        const worker = await startWorker(
          queue,
          {
            quick: async () => {
              quickStarted.resolve();
              await finishQuick.promise;
              return 'finished';
            },
            // Ignores its signal on purpose: the deadline must still free the worker.
            stubborn: async (context) => {
              stubbornStarted.resolve();
              context.signal.addEventListener('abort', () => {
                stubbornAborted = true;
              });
              await new Promise(() => undefined);
            },
          },
          { concurrency: 2 },
        );
        await Promise.all([quickStarted.promise, stubbornStarted.promise]);
        // Generous, so the quick job surely finishes before it even on a loaded machine.
        const closing = worker.close({ deadlineMs: 1_000 });
        const late = await queue.enqueue('quick', {});
        finishQuick.resolve();
        await closing;
        assert.equal((await queue.getJob(quick.id))?.state, 'completed', 'the active job finished');
        assert.ok(stubbornAborted, "the stubborn job's signal was aborted at the deadline");
        const handedBack = await queue.getJob(stubborn.id);
        assert.equal(handedBack?.state, 'queued', 'the unfinished job went back to the queue');
        assert.equal(handedBack?.attempts, 0, 'handing back does not use up an attempt');
        assert.equal((await queue.getJob(late.id))?.state, 'queued', 'a closing worker takes no new job');

        await startWorker(queue, { quick: async () => 'finished', stubborn: async () => 'second worker' });
        assert.equal((await waitForState(queue, stubborn.id, 'completed')).result, 'second worker');
        await waitForState(queue, late.id, 'completed');
      });

      if (crashRecovery) {
        it('re-runs the job of a crashed worker on another worker; nothing is lost', async () => {
          const queue = await newQueue();
          const started = deferred();
          const runs: string[] = [];
          const jobs = await queue.enqueueBulk([
            { name: 'long', payload: 'crashing' },
            { name: 'long', payload: 'queued behind' },
          ]);
          const doomed = await startWorker(
            queue,
            {
              long: async () => {
                runs.push('doomed');
                started.resolve();
                await new Promise(() => undefined); // never finishes: its process "dies"
              },
            },
            CRASH_TEST_WORKER,
          );
          await started.promise;
          await fixture.crashWorker(doomed);
          await startWorker(
            queue,
            {
              long: async (context) => {
                runs.push('survivor');
                return context.payload;
              },
            },
            CRASH_TEST_WORKER,
          );
          for (const job of jobs) await waitForState(queue, job.id, 'completed', 15_000);
          assert.equal((await queue.getJob(jobs[0]?.id as string))?.result, 'crashing');
          assert.deepEqual(runs, ['doomed', 'survivor', 'survivor']);
        }, 30_000);
      }
    });

    describe('telemetry', () => {
      it("continues the producer's trace in the consumer's process {queue} span (messaging conventions)", async () => {
        const queue = await newQueue();
        const tracer = trace.getTracer('contract');
        const job = await withSpan(tracer, 'http request', () =>
          queue.enqueue('traced', {}, { tenantId: 'acme' }),
        );
        await startWorker(queue, { traced: async () => 'ok' });
        await waitForState(queue, job.id, 'completed');
        const request = telemetry.spansNamed('http request').at(-1);
        const enqueue = telemetry
          .spansNamed(SPAN.queueSend(queue.name))
          .find((span) => span.traceId === request?.traceId);
        const processed = telemetry
          .spansNamed(SPAN.queueProcess(queue.name))
          .find(
            (span) =>
              span.attributes[ATTR.jobId] === job.id && span.attributes[ATTR.queueName] === queue.name,
          );
        assert.ok(request && enqueue && processed, 'spans recorded');
        assert.equal(enqueue.parentSpanId, request.spanId);
        assert.equal(enqueue.kind, 'producer');
        assert.equal(processed.traceId, request.traceId);
        assert.equal(processed.parentSpanId, enqueue.spanId);
        assert.equal(processed.kind, 'consumer');
        assert.equal(processed.attributes[ATTR.tenantId], 'acme');
        assert.equal(processed.attributes[ATTR.queueName], queue.name);
        assert.equal(enqueue.attributes[ATTR.messagingOperationType], 'send');
        assert.equal(processed.attributes[ATTR.messagingOperationType], 'process');
        assert.ok(processed.attributes[ATTR.messagingSystem], 'messaging.system is set');
      });

      it('records depth by state, wait and process time, failures, retries, dead letters and heartbeats', async () => {
        const queue = await newQueue();
        const ok = await queue.enqueue('ok', {});
        const retried = await queue.enqueue('flaky', {}, { attempts: 2, backoff: FAST_BACKOFF });
        const dead = await queue.enqueue('dead', {}, { attempts: 1 });
        await startWorker(queue, {
          ok: async () => 1,
          flaky: async (context) => {
            if (context.attempt === 1) throw new Error('once');
          },
          dead: async () => {
            throw new Error('always');
          },
        });
        await waitForState(queue, ok.id, 'completed');
        await waitForState(queue, retried.id, 'completed');
        await waitForState(queue, dead.id, 'failed');
        const byQueue = { [ATTR.queueName]: queue.name };
        assert.equal(await telemetry.metricValue(METRIC.queueJobsCompleted, byQueue), 2);
        assert.equal(await telemetry.metricValue(METRIC.queueJobsFailed, byQueue), 2);
        assert.equal(await telemetry.metricValue(METRIC.queueJobsRetried, byQueue), 1);
        assert.equal(await telemetry.metricValue(METRIC.queueJobsDeadLettered, byQueue), 1);
        assert.equal(await telemetry.metricValue(METRIC.queueWaitDuration, byQueue), 3, 'one wait per job');
        assert.equal(await telemetry.metricValue(METRIC.queueProcessDuration, byQueue), 4, 'one per attempt');
        assert.ok(((await telemetry.metricValue(METRIC.workerHeartbeat, byQueue)) ?? 0) >= 1);
        assert.equal(
          await telemetry.metricValue(METRIC.queueDepth, { ...byQueue, [ATTR.jobState]: 'completed' }),
          2,
        );
        assert.equal(
          await telemetry.metricValue(METRIC.queueDepth, { ...byQueue, [ATTR.jobState]: 'failed' }),
          1,
        );
        assert.equal(
          await telemetry.metricValue(METRIC.queueDepth, { ...byQueue, [ATTR.jobState]: 'queued' }),
          0,
        );
      });
    });
  });
}
