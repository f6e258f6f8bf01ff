/**
 * `queue`: throughput of the BullMQ adapter against raw BullMQ on the same Redis, with the same
 * concurrency, retention and a no-op handler, in interleaved rounds of one run; the memory
 * adapter's throughput; the adapter's enqueue latency.
 *
 * Like with like: the adapter gives every job a BullMQ priority (the tenant-fairness ordering, see
 * packages/queue README), and BullMQ's prioritized set costs more than its plain waiting list. So
 * the adapter's overhead is measured against raw BullMQ WITH a priority on every job
 * (`bullmq_vs_raw_ratio`), and the two costs it is made of are reported as their own ratios:
 * priorities themselves (raw with / raw without, `raw_priority_cost_ratio`) and tenant fairness
 * (the adapter with jobs over 20 tenants / the adapter without tenants, `fairness_cost_ratio`).
 *
 * Each round pre-fills a fresh queue, then times a worker draining it (first to last handler
 * call), so enqueue and processing are measured apart. Each round runs the four variants back to
 * back (the order rotating), and each ratio is the median of the rounds' ratios.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { MemoryJobQueue, type EnqueueRequest, type JobQueue } from '@ai-scale/queue';
import { BullmqJobQueue } from '@ai-scale/queue/bullmq';
import { quantile, round } from '../report';
import type { Scenario, ScenarioContext } from '../scenario';

const CONCURRENCY = 10;
/** What the adapter's defaults keep; the raw baseline keeps the same so Redis does the same work. */
const RETENTION = { count: 10_000, age: 24 * 3_600 };

interface Settings {
  readonly jobs: number;
  readonly rounds: number;
  readonly enqueueSamples: number;
}

function settings(quick: boolean): Settings {
  return quick
    ? { jobs: 3_000, rounds: 8, enqueueSamples: 1_000 }
    : { jobs: 20_000, rounds: 10, enqueueSamples: 10_000 };
}

/**
 * Times a drain from the first handler call to the last, so that connecting and the first fetch
 * (which the port's `start()` includes and a raw `Worker` does before `run()`) count for neither side.
 */
function drainClock(jobs: number): { tick: () => void; result: Promise<Drain> } {
  let processed = 0;
  let first = 0;
  let cpuAtFirst = process.cpuUsage();
  let resolve!: (drain: Drain) => void;
  const result = new Promise<Drain>((done) => {
    resolve = done;
  });
  return {
    tick: () => {
      processed++;
      if (processed === 1) {
        first = performance.now();
        cpuAtFirst = process.cpuUsage();
      }
      if (processed === jobs) {
        const seconds = (performance.now() - first) / 1000;
        const cpu = process.cpuUsage(cpuAtFirst);
        resolve({
          jobsPerSecond: (jobs - 1) / seconds,
          cpuMicrosPerJob: (cpu.user + cpu.system) / (jobs - 1),
        });
      }
    },
    result,
  };
}

/** A drain's throughput, and the CPU this process spent per job (a figure other load barely moves). */
interface Drain {
  readonly jobsPerSecond: number;
  readonly cpuMicrosPerJob: number;
}

/** `priority`: give every job this BullMQ priority (as the adapter does), or none (plain FIFO list). */
async function rawBullmqRound(
  redisUrl: string,
  prefix: string,
  jobs: number,
  priority?: number,
): Promise<Drain> {
  const name = `raw_${randomBytes(4).toString('hex')}`;
  const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
  for (let start = 0; start < jobs; start += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, jobs - start) }, (_, i) => ({
        name: 'noop',
        data: { i: start + i },
        opts: {
          attempts: 3,
          removeOnComplete: RETENTION,
          removeOnFail: RETENTION,
          ...(priority === undefined ? {} : { priority }),
        },
      })),
    );
  }
  const clock = drainClock(jobs);
  const worker = new Worker(name, async () => clock.tick(), {
    connection: { url: redisUrl },
    prefix,
    concurrency: CONCURRENCY,
  });
  const drain = await clock.result;
  await worker.close();
  await queue.close();
  return drain;
}

async function fill(queue: JobQueue, jobs: number, tenants: number): Promise<void> {
  for (let start = 0; start < jobs; start += 1_000) {
    const batch: EnqueueRequest[] = Array.from({ length: Math.min(1_000, jobs - start) }, (_, i) => ({
      name: 'noop',
      payload: { i: start + i },
      options: tenants > 0 ? { tenantId: `tenant-${(start + i) % tenants}` } : undefined,
    }));
    await queue.enqueueBulk(batch);
  }
}

async function adapterRound(queue: JobQueue, jobs: number, tenants = 0): Promise<Drain> {
  await fill(queue, jobs, tenants);
  const clock = drainClock(jobs);
  const worker = queue.createWorker({ noop: async () => clock.tick() }, { concurrency: CONCURRENCY });
  await worker.start();
  const drain = await clock.result;
  await worker.close();
  await queue.close();
  return drain;
}

async function enqueueLatencies(queue: JobQueue, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await queue.enqueue('noop', { i });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function rawAddLatencies(redisUrl: string, prefix: string, samples: number): Promise<number[]> {
  const queue = new Queue(`raw_add_${randomBytes(4).toString('hex')}`, {
    connection: { url: redisUrl },
    prefix,
  });
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await queue.add('noop', { i }, { attempts: 3, removeOnComplete: RETENTION, removeOnFail: RETENTION });
    latencies.push(performance.now() - started);
  }
  await queue.close();
  return latencies;
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const client = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

async function run(context: ScenarioContext): Promise<Record<string, number>> {
  const { jobs, rounds, enqueueSamples } = settings(context.quick);
  const redisUrl =
    typeof context.flags.redis === 'string'
      ? context.flags.redis
      : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `bench_queue_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const bullmqQueue = (): BullmqJobQueue =>
    new BullmqJobQueue({ name: `adapter_${randomBytes(4).toString('hex')}`, redisUrl, prefix });
  try {
    context.log(`warm-up (${Math.min(jobs, 2_000)} jobs each)`);
    await rawBullmqRound(redisUrl, prefix, Math.min(jobs, 2_000));
    await adapterRound(new MemoryJobQueue({ name: 'warm-up' }), Math.min(jobs, 2_000));
    await adapterRound(bullmqQueue(), Math.min(jobs, 2_000));

    // The priority the adapter gives a job without a tenant (band 1, rank 0: orderingPriority(1, 0)).
    const ADAPTER_PRIORITY = 1;
    const variants = {
      raw: () => rawBullmqRound(redisUrl, prefix, jobs),
      rawPriority: () => rawBullmqRound(redisUrl, prefix, jobs, ADAPTER_PRIORITY),
      adapter: () => adapterRound(bullmqQueue(), jobs),
      adapterTenants: () => adapterRound(bullmqQueue(), jobs, 20),
    } as const;
    type Variant = keyof typeof variants;
    const order: Variant[] = ['raw', 'rawPriority', 'adapter', 'adapterTenants'];
    const drains: Record<Variant, Drain[]> = { raw: [], rawPriority: [], adapter: [], adapterTenants: [] };
    const ratios = { adapter: [] as number[], priority: [] as number[], fairness: [] as number[] };
    for (let round = 1; round <= rounds; round++) {
      // Rotate which goes first so drift on the shared machine does not favour one variant.
      for (let step = 0; step < order.length; step++) {
        const variant = order[(round + step) % order.length] as Variant;
        drains[variant].push(await variants[variant]());
      }
      const last = (variant: Variant): number => (drains[variant].at(-1) as Drain).jobsPerSecond;
      ratios.adapter.push(last('adapter') / last('rawPriority'));
      ratios.priority.push(last('rawPriority') / last('raw'));
      ratios.fairness.push(last('adapterTenants') / last('adapter'));
      context.log(
        `round ${round}/${rounds}: raw ${Math.round(last('raw'))}, raw+priority ${Math.round(last('rawPriority'))}, adapter ${Math.round(last('adapter'))}, adapter 20 tenants ${Math.round(last('adapterTenants'))} jobs/s`,
      );
    }
    const speeds = (variant: Variant): number[] => drains[variant].map((drain) => drain.jobsPerSecond);
    const cpu = (variant: Variant): number => median(drains[variant].map((drain) => drain.cpuMicrosPerJob));

    const memory: number[] = [];
    for (let round = 1; round <= 3; round++) {
      memory.push((await adapterRound(new MemoryJobQueue({ name: 'bench' }), jobs)).jobsPerSecond);
    }
    context.log(`memory: ${memory.map(Math.round).join(', ')} jobs/s`);

    const latencyQueue = bullmqQueue();
    await enqueueLatencies(latencyQueue, Math.min(200, enqueueSamples)); // warm-up
    const latencies = await enqueueLatencies(latencyQueue, enqueueSamples);
    await latencyQueue.close();
    const rawLatencies = await rawAddLatencies(redisUrl, prefix, enqueueSamples);

    const row = (subject: string, variant: Variant) => ({
      subject,
      'jobs/s': Math.round(median(speeds(variant))),
      'cpu µs/job': round(cpu(variant), 1),
      rounds: speeds(variant).map(Math.round).join(' '),
    });
    const ratioRow = (subject: string, values: number[]) => ({
      subject,
      'jobs/s': round(median(values), 3),
      rounds: values.map((ratio) => round(ratio, 2)).join(' '),
    });
    context.table(
      `BullMQ adapter vs raw BullMQ 6.7.0: ${jobs} no-op jobs per round, concurrency ${CONCURRENCY}, median of ${rounds}`,
      [
        row('raw BullMQ, no priority', 'raw'),
        row('raw BullMQ, priority on every job', 'rawPriority'),
        row('@ai-scale/queue bullmq, no tenant', 'adapter'),
        row('@ai-scale/queue bullmq, 20 tenants', 'adapterTenants'),
        ratioRow('ratio adapter / raw with priority', ratios.adapter),
        ratioRow('ratio raw with / without priority', ratios.priority),
        ratioRow('ratio 20 tenants / no tenant (fairness)', ratios.fairness),
        {
          subject: '@ai-scale/queue memory',
          'jobs/s': Math.round(median(memory)),
          rounds: memory.map(Math.round).join(' '),
        },
      ],
    );
    context.table(`enqueue latency, ${enqueueSamples} awaited one by one (ms)`, [
      {
        subject: 'adapter enqueue',
        p50: round(quantile(latencies, 0.5), 3),
        p99: round(quantile(latencies, 0.99), 3),
      },
      {
        subject: 'raw queue.add',
        p50: round(quantile(rawLatencies, 0.5), 3),
        p99: round(quantile(rawLatencies, 0.99), 3),
      },
    ]);
    return {
      // The median of back-to-back pairs: load from other processes on a shared machine drifts
      // between rounds, and a pair measured seconds apart sees nearly the same load.
      // Like with like: both sides put every job in BullMQ's prioritized set.
      bullmq_vs_raw_ratio: round(median(ratios.adapter), 3),
      raw_priority_cost_ratio: round(median(ratios.priority), 3),
      fairness_cost_ratio: round(median(ratios.fairness), 3),
      // The whole cost against the cheapest raw BullMQ (no priorities): the product of the above.
      bullmq_vs_raw_no_priority_ratio: round(
        median(ratios.adapter.map((ratio, index) => ratio * (ratios.priority[index] as number))),
        3,
      ),
      bullmq_jobs_per_s: Math.round(median(speeds('adapter'))),
      bullmq_tenant_jobs_per_s: Math.round(median(speeds('adapterTenants'))),
      raw_bullmq_priority_jobs_per_s: Math.round(median(speeds('rawPriority'))),
      raw_bullmq_jobs_per_s: Math.round(median(speeds('raw'))),
      memory_jobs_per_s: Math.round(median(memory)),
      enqueue_p50_ms: round(quantile(latencies, 0.5), 3),
      enqueue_p99_ms: round(quantile(latencies, 0.99), 3),
      raw_add_p50_ms: round(quantile(rawLatencies, 0.5), 3),
      raw_cpu_us_per_job: round(cpu('raw'), 1),
      raw_priority_cpu_us_per_job: round(cpu('rawPriority'), 1),
      bullmq_cpu_us_per_job: round(cpu('adapter'), 1),
      bullmq_tenant_cpu_us_per_job: round(cpu('adapterTenants'), 1),
    };
  } finally {
    await deleteKeys(redisUrl, prefix);
  }
}

const scenario: Scenario = {
  name: 'queue',
  description:
    'BullMQ adapter vs raw BullMQ with priorities (ratio), the cost of priorities and of tenant fairness (ratios), memory adapter, enqueue latency',
  run,
};

export default scenario;
