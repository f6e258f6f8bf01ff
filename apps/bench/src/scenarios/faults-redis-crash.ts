/**
 * The Redis crash phase of `faults`: the private redis-server is SIGKILLed (no clean shutdown, no
 * final AOF flush) while requests arrive, then started again on its append-only file. Run once per
 * `appendfsync` policy on the same stack: `everysec` (Redis's default and what
 * infra/docker-compose.yml ships: `--appendonly yes`) and `always` (fsync before every reply).
 *
 * Per policy it reports: acknowledged (202) jobs lost (404 after the restart, or never finished),
 * jobs run twice (model calls beyond one per completed job), the API's answers while Redis is gone
 * (503 share, Retry-After share, slowest answer, other 5xx), the time from the restart to the first
 * 202 (nobody restarts the API or the workers). The write throughput each policy allows is
 * measured apart, in back-to-back pairs on the same server (`fsyncThroughputPairs`: BullMQ
 * enqueues/s awaited by 16 concurrent producers).
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { BullmqJobQueue } from '@ai-scale/queue/bullmq';
import { round } from '../report';
import type { ApiClient } from '../system/api-client';
import { sleep } from '../system/processes';
import type { AppendFsync, PrivateRedis } from '../system/redis-server';
import type { ServerStack } from '../system/server-stack';

export interface RedisCrashPlan {
  /** New requests per second during the phase (below the workers' bound, so the queue drains). */
  readonly ratePerSecond: number;
  readonly beforeKillMs: number;
  readonly downMs: number;
  readonly afterRestartMs: number;
  /** How long acknowledged jobs are watched after the load before they count as lost. */
  readonly watchMs: number;
}

interface Submission {
  readonly sentAt: number;
  status: number;
  ms: number;
  retryAfter: boolean;
  jobId?: string;
}

/** POST /v1/chat in async mode: the 202 (acknowledgement) is all that is waited for. */
async function submit(pool: Pool, apiKey: string, message: string, origin: number): Promise<Submission> {
  const sentAt = performance.now() - origin;
  const started = performance.now();
  try {
    const response = await pool.request({
      path: '/v1/chat',
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message, mode: 'async' }),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const body = (await response.body.json().catch(() => ({}))) as { jobId?: string };
    return {
      sentAt,
      status: response.statusCode,
      ms: performance.now() - started,
      retryAfter: response.headers['retry-after'] !== undefined,
      ...(response.statusCode === 202 && body.jobId ? { jobId: body.jobId } : {}),
    };
  } catch {
    return { sentAt, status: 0, ms: performance.now() - started, retryAfter: false };
  }
}

/** BullMQ enqueues per second on this Redis with `producers` concurrent awaited producers. */
async function enqueueThroughput(redisUrl: string, durationMs: number, producers = 16): Promise<number> {
  const queue = new BullmqJobQueue({
    name: `fsync_probe_${randomBytes(3).toString('hex')}`,
    redisUrl,
    prefix: `fsyncprobe${randomBytes(3).toString('hex')}`,
  });
  let done = 0;
  const until = performance.now() + durationMs;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: producers }, async () => {
        while (performance.now() < until) {
          await queue.enqueue('probe', { n: done });
          done++;
        }
      }),
    );
    return done / ((performance.now() - started) / 1000);
  } finally {
    await queue.close();
  }
}

/**
 * The write throughput of each fsync policy side by side: `pairs` back-to-back probes on the same
 * redis-server (CONFIG SET between them, the order alternating), so drift in the machine's load
 * hits both alike; the ratio is the median of the pairs' always/everysec ratios.
 */
export async function fsyncThroughputPairs(
  redis: PrivateRedis,
  pairs: number,
  probeMs: number,
): Promise<{ everysec: number[]; always: number[]; ratios: number[] }> {
  const result = { everysec: [] as number[], always: [] as number[], ratios: [] as number[] };
  for (let pair = 0; pair < pairs; pair++) {
    const order: AppendFsync[] = pair % 2 === 0 ? ['everysec', 'always'] : ['always', 'everysec'];
    for (const policy of order) {
      await redis.setAppendFsync(policy);
      (policy === 'always' ? result.always : result.everysec).push(
        await enqueueThroughput(redis.url, probeMs),
      );
    }
    result.ratios.push((result.always.at(-1) as number) / (result.everysec.at(-1) as number));
  }
  await redis.setAppendFsync('everysec');
  return result;
}

/** Waits until the server's queue has nothing queued or active (jobs of earlier phases). */
async function waitIdle(stack: ServerStack, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const counts = await stack.queueCounts().catch(() => undefined);
    if (counts && counts.queued === 0 && counts.active === 0) return true;
    await sleep(500);
  }
  return false;
}

export async function redisCrashPhase(options: {
  readonly stack: ServerStack;
  readonly api: ApiClient;
  readonly redis: PrivateRedis;
  readonly policy: AppendFsync;
  readonly plan: RedisCrashPlan;
  readonly log: (line: string) => void;
}): Promise<Record<string, number>> {
  const { stack, api, redis, policy, plan, log } = options;
  await redis.setAppendFsync(policy);
  // Model calls are counted per phase: only when no earlier job is left do they all belong to it.
  const idle = await waitIdle(stack, 120_000);
  if (!idle) log(`appendfsync ${policy}: earlier jobs still queued after 120 s: duplicates not counted`);

  const pool = new Pool(stack.apiUrl, { connections: 64, pipelining: 1 });
  const runId = randomBytes(3).toString('hex');
  const origin = performance.now();
  const callsBefore = stack.fake.stats.chatCompletions;
  const submissions: Array<Promise<Submission>> = [];
  let counter = 0;
  let stop = false;
  const arrivals = (async () => {
    const interval = 1000 / plan.ratePerSecond;
    for (let next = performance.now(); !stop; next += interval) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      submissions.push(
        submit(pool, stack.apiKey, `[${runId}-${policy}-${++counter}] Is plan ${counter} valid?`, origin),
      );
    }
  })();
  try {
    await sleep(plan.beforeKillMs);
    const killAt = performance.now() - origin;
    await redis.kill();
    log(`appendfsync ${policy}: redis-server SIGKILLed at t=${round(killAt / 1000, 1)} s`);
    await sleep(plan.downMs);
    const restartAt = performance.now() - origin;
    await redis.start();
    log(
      `appendfsync ${policy}: redis-server started again (AOF replayed) at t=${round(restartAt / 1000, 1)} s`,
    );
    await sleep(plan.afterRestartMs);
    stop = true;
    await arrivals;
    const all = await Promise.all(submissions);

    // Every acknowledged job is watched until it finishes; a 404 after the restart is a lost job.
    const acknowledged = all.filter((s) => s.jobId !== undefined);
    const state = new Map<string, string>();
    const until = performance.now() + plan.watchMs;
    while (performance.now() < until) {
      const open = acknowledged.filter((s) => {
        const current = state.get(s.jobId as string);
        return current !== 'completed' && current !== 'failed';
      });
      if (open.length === 0) break;
      await Promise.all(
        open.map(async (s) => {
          try {
            const job = await api.getJob(s.jobId as string);
            state.set(s.jobId as string, job === undefined ? 'missing' : job.state);
          } catch {
            // The API is still recovering: look again.
          }
        }),
      );
      await sleep(500);
    }
    const completed = acknowledged.filter((s) => state.get(s.jobId as string) === 'completed').length;
    const lost = acknowledged.filter((s) => {
      const current = state.get(s.jobId as string);
      return current !== 'completed' && current !== 'failed';
    });
    const lostBeforeKill = lost.filter((s) => s.sentAt + s.ms <= killAt).length;
    const modelCalls = stack.fake.stats.chatCompletions - callsBefore;
    // Sent after the kill was seen and before the restart: what a client meets while Redis is gone.
    const during = all.filter((s) => s.sentAt >= killAt + 100 && s.sentAt + s.ms < restartAt);
    const firstAccepted = all
      .filter((s) => s.sentAt >= restartAt && s.status === 202)
      .map((s) => s.sentAt + s.ms);
    // 5xx other than a 503, and transport errors, anywhere in the phase.
    const other5xx = all.filter((s) => s.status === 0 || (s.status >= 500 && s.status !== 503)).length;
    const metrics: Record<string, number> = {
      requests: all.length,
      acknowledged: acknowledged.length,
      acknowledged_before_kill: acknowledged.filter((s) => s.sentAt + s.ms <= killAt).length,
      lost: lost.length,
      lost_acknowledged_before_kill: lostBeforeKill,
      failed: acknowledged.filter((s) => state.get(s.jobId as string) === 'failed').length,
      // One model call per answered job when nothing runs twice (no provider faults in this phase).
      duplicated: idle ? Math.max(0, modelCalls - completed) : Number.NaN,
      '5xx': other5xx,
      outage_requests: during.length,
      outage_503_ratio:
        during.length === 0 ? 0 : round(during.filter((s) => s.status === 503).length / during.length, 3),
      outage_retry_after_ratio:
        during.length === 0 ? 0 : round(during.filter((s) => s.retryAfter).length / during.length, 3),
      outage_response_max_ms: Math.round(Math.max(0, ...during.map((s) => s.ms))),
      recovery_s:
        firstAccepted.length === 0 ? Number.NaN : round((Math.min(...firstAccepted) - restartAt) / 1000, 2),
    };
    for (const [key, value] of Object.entries(metrics)) if (Number.isNaN(value)) delete metrics[key];
    if (lost.length > 0)
      log(
        `appendfsync ${policy}: lost jobs ${lost
          .slice(0, 5)
          .map((s) => `${s.jobId}:${state.get(s.jobId as string) ?? 'never seen'}`)
          .join(', ')}`,
      );
    return metrics;
  } finally {
    stop = true;
    await arrivals.catch(() => undefined);
    await pool.close();
  }
}
