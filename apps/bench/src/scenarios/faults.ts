/**
 * `faults`: the stack under steady load while things break, one after the other on one timeline:
 *   1. the model fails 30% of calls with HTTP 500 for a while: share of requests answered, p99;
 *   2. Redis is stopped (SIGTERM) and started again: requests failed and how, time to recover,
 *      jobs lost;
 *   3. a worker is SIGKILLed (and a new one started, as a supervisor would): jobs lost, time until
 *      every job in flight at the kill is answered (its jobs wait for BullMQ's stalled check). It
 *      comes last so that this wait is not confounded with the Redis outage.
 * Then, on the same stack once the timeline's jobs are done, Redis is SIGKILLed (a crash) and
 * restarted, once with `appendfsync everysec` (shipped) and once with `always`
 * (faults-redis-crash.ts): acknowledged jobs lost and duplicated, the API's 503s while it is gone,
 * time to recover, and each policy's write throughput side by side.
 * It runs on its OWN redis-server (a free port, append-only file in a temporary directory, so the
 * data survives the restart): the shared Redis on 6379 is never stopped.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { lineChart } from '../plot';
import { quantile, round } from '../report';
import type { Scenario } from '../scenario';
import { ApiClient, runClosedLoop, runOpenLoop } from '../system/api-client';
import { sampleQueueDepth } from '../system/depth-sampler';
import { sleep } from '../system/processes';
import { startPrivateRedis } from '../system/redis-server';
import { fsyncThroughputPairs, redisCrashPhase, type RedisCrashPlan } from './faults-redis-crash';
import { writeDetails, writePlot } from '../system/report-files';
import { startServerStack } from '../system/server-stack';
import { throughputBound, type RequestSample } from '../system/stage-stats';

const MODEL_LATENCY_MS = 800;
const WORKERS = 2;
const WORKER_CONCURRENCY = 10;
/**
 * The queue's lock duration and stalled-check interval for this scenario (server defaults: 30 s and
 * 30 s, with which a killed worker's jobs waited 62 s to run again). A crashed worker's jobs run
 * again after at most lock + interval: this is the knob the worker-kill phase measures.
 */
const QUEUE_LOCK_DURATION_MS = 10_000;
const QUEUE_STALLED_INTERVAL_MS = 5_000;
const CLIENTS = 24;
const PROVIDER_FAULT_RATE = 0.3;
/** New requests per second arriving whatever the state of the system (see runOpenLoop). */
const ARRIVALS_PER_SECOND = 4;

interface Timeline {
  readonly baselineMs: number;
  readonly killPhaseMs: number;
  readonly providerPhaseMs: number;
  readonly redisDownMs: number;
  readonly redisRecoveryMs: number;
  /** How long a client waits for one answer. */
  readonly requestDeadlineMs: number;
  /** After the load stops, how long unfinished jobs are watched before they count as lost. */
  readonly finalWaitMs: number;
}

function timeline(quick: boolean): Timeline {
  return quick
    ? {
        baselineMs: 3_000,
        killPhaseMs: 6_000,
        providerPhaseMs: 6_000,
        redisDownMs: 3_000,
        redisRecoveryMs: 6_000,
        requestDeadlineMs: 20_000,
        finalWaitMs: 9_000,
      }
    : {
        baselineMs: 10_000,
        killPhaseMs: 20_000,
        providerPhaseMs: 20_000,
        redisDownMs: 10_000,
        redisRecoveryMs: 20_000,
        requestDeadlineMs: 90_000,
        finalWaitMs: 90_000,
      };
}

function redisCrashPlan(quick: boolean): RedisCrashPlan {
  return quick
    ? {
        ratePerSecond: 15,
        beforeKillMs: 3_000,
        downMs: 3_000,
        afterRestartMs: 4_000,
        watchMs: 40_000,
      }
    : {
        ratePerSecond: 15,
        beforeKillMs: 10_000,
        downMs: 10_000,
        afterRestartMs: 10_000,
        watchMs: 90_000,
      };
}

/** When a sample got its answer (or was last seen finished), on the run's clock in ms. */
interface Outcome {
  readonly sample: RequestSample;
  /** ms since origin when the answer arrived; undefined when none. */
  answeredAt?: number;
  /** Final state after the watch: answered | failed | lost (404 or never finished) | rejected (no 202). */
  state: 'answered' | 'failed' | 'lost' | 'rejected';
  kind?: string;
}

const scenario: Scenario = {
  name: 'faults',
  description:
    'under load: SIGKILL a worker, 30% model faults, Redis stopped and restarted, Redis SIGKILLed with appendfsync everysec and always (own redis-server with an append-only file)',
  async run(context) {
    const plan = timeline(context.quick);
    const redis = await startPrivateRedis({ appendOnly: true });
    context.log(`private redis-server on port ${redis.port} (appendonly yes, appendfsync everysec)`);
    const faults = { serverError: 0 };
    const abort = new AbortController();
    let scriptError: unknown;
    let stack: Awaited<ReturnType<typeof startServerStack>> | undefined;
    let client: ApiClient | undefined;
    try {
      stack = await startServerStack({
        redisUrl: redis.url,
        workers: WORKERS,
        workerConcurrency: WORKER_CONCURRENCY,
        modelLatencyMs: MODEL_LATENCY_MS,
        faults,
        serverEnvironment: {
          QUEUE_LOCK_DURATION_MS: String(QUEUE_LOCK_DURATION_MS),
          QUEUE_STALLED_INTERVAL_MS: String(QUEUE_STALLED_INTERVAL_MS),
        },
        log: context.log,
        onUnexpectedExit: (description) => {
          scriptError ??= new Error(`the stack broke: ${description}`);
          abort.abort();
        },
      });
      const running = stack;
      const api = new ApiClient(running.apiUrl, running.apiKey, CLIENTS + 8, 'sse');
      client = api;
      const origin = performance.now();
      const at = (): number => performance.now() - origin;
      const depth = sampleQueueDepth(() => running.queueCounts(), origin);
      const marks: Record<string, number> = {};
      const runId = randomBytes(3).toString('hex');
      let counter = 0;
      let callsAtFaultsOn = 0;
      let errorsAtFaultsOn = 0;
      let callsAtFaultsOff = 0;
      let errorsAtFaultsOff = 0;
      let workerRestartMs = Number.NaN;

      const script = (async () => {
        await sleep(plan.baselineMs);
        marks.faultsOn = at();
        callsAtFaultsOn = running.fake.stats.chatCompletions;
        errorsAtFaultsOn = running.fake.stats.serverErrors;
        faults.serverError = PROVIDER_FAULT_RATE;
        context.log(
          `t=${round(marks.faultsOn / 1000, 1)} s: model fails ${PROVIDER_FAULT_RATE * 100}% of calls`,
        );
        await sleep(plan.providerPhaseMs);
        faults.serverError = 0;
        marks.faultsOff = at();
        callsAtFaultsOff = running.fake.stats.chatCompletions;
        errorsAtFaultsOff = running.fake.stats.serverErrors;
        await redis.stop();
        marks.redisStop = at();
        context.log(`t=${round(marks.redisStop / 1000, 1)} s: redis-server stopped`);
        await sleep(plan.redisDownMs);
        await redis.start();
        marks.redisStart = at();
        context.log(`t=${round(marks.redisStart / 1000, 1)} s: redis-server started again`);
        await sleep(plan.redisRecoveryMs);
        // The kill comes last, so that its recovery (lock + stalled check, at most 15 s here) is measured
        // on a healthy Redis, during the load's last phase and the watch after it.
        marks.kill = at();
        await running.killWorker(0);
        context.log(`t=${round(marks.kill / 1000, 1)} s: worker 0 SIGKILLed; starting a replacement`);
        // The replacement starts in the background, as a supervisor's would: the timeline goes on.
        const replacement = running.restartWorker(0).then(() => {
          workerRestartMs = at() - (marks.kill as number);
          context.log(`replacement worker ready ${round(workerRestartMs / 1000, 1)} s after the kill`);
        });
        await sleep(plan.killPhaseMs);
        await replacement;
        abort.abort();
      })().catch((error: unknown) => {
        scriptError = error;
        abort.abort();
      });

      const ask = (): Promise<RequestSample> =>
        api.ask(`[${runId}-${++counter}] Is plan ${counter} still valid?`, 'async', plan.requestDeadlineMs);
      const arrivals = runOpenLoop({
        ratePerSecond: ARRIVALS_PER_SECOND,
        signal: abort.signal,
        request: ask,
      });
      const closedLoop = await runClosedLoop({
        clients: CLIENTS,
        // The script ends the load once the last phase has run (phases stretch when a restart is slow).
        durationMs: 10 * 60_000,
        request: ask,

        pauseAfterErrorMs: 200,
        signal: abort.signal,
      });
      await script;
      if (scriptError !== undefined) throw scriptError;
      const samples = [...closedLoop, ...(await arrivals)];
      marks.loadEnd = at();
      context.log(`load stopped at t=${round(marks.loadEnd / 1000, 1)} s after ${samples.length} requests`);

      // Every accepted job not answered during the load is watched until it finishes or time runs out.
      const outcomes: Outcome[] = samples.map((sample) => {
        if (sample.e2eMs !== undefined)
          return { sample, state: 'answered', answeredAt: sample.startedAt - origin + sample.e2eMs };
        if (!sample.jobId) return { sample, state: 'rejected', kind: sample.error };
        if (sample.error?.startsWith('job_failed')) return { sample, state: 'failed', kind: sample.error };
        return { sample, state: 'lost', kind: sample.error };
      });
      const watched = outcomes.filter((outcome) => outcome.state === 'lost');
      const watchUntil = performance.now() + plan.finalWaitMs;
      while (watched.some((outcome) => outcome.state === 'lost') && performance.now() < watchUntil) {
        for (const outcome of watched.filter((item) => item.state === 'lost')) {
          try {
            const job = await api.getJob(outcome.sample.jobId as string);
            if (job === undefined) {
              outcome.kind = 'job_missing';
            } else if (job.state === 'completed') {
              outcome.state = 'answered';
              outcome.answeredAt = at();
            } else if (job.state === 'failed') {
              outcome.state = 'failed';
              outcome.kind = `job_failed:${job.error?.code ?? 'unknown'}`;
            } else {
              outcome.kind = `job_${job.state}_at_end`;
            }
          } catch {
            // The API is still recovering: look again.
          }
        }
        await sleep(500);
      }
      marks.end = at();
      await depth.stop();

      const startedIn = (from: number, to: number) =>
        outcomes.filter((outcome) => {
          const t = outcome.sample.startedAt - origin;
          return t >= from && t < to;
        });
      const kinds = (list: readonly Outcome[]): Record<string, number> => {
        const counts: Record<string, number> = {};
        for (const outcome of list)
          if (outcome.state !== 'answered') {
            const key = `${outcome.state}:${outcome.kind ?? 'unknown'}`;
            counts[key] = (counts[key] ?? 0) + 1;
          }
        return counts;
      };
      const e2e = (list: readonly Outcome[]): number[] =>
        list
          .filter((outcome) => outcome.sample.e2eMs !== undefined)
          .map((outcome) => outcome.sample.e2eMs as number);
      const answeredRatio = (list: readonly Outcome[]): number =>
        list.length === 0
          ? Number.NaN
          : round(list.filter((o) => o.state === 'answered').length / list.length, 3);
      const lostCount = (list: readonly Outcome[]): number => list.filter((o) => o.state === 'lost').length;

      const kill = marks.kill as number;
      const faultsOn = marks.faultsOn as number;
      const faultsOff = marks.faultsOff as number;
      const redisStop = marks.redisStop as number;
      const redisStart = marks.redisStart as number;
      const baseline = startedIn(0, faultsOn);
      // The jobs the kill can hurt: accepted before it and not yet answered when it came.
      const inFlightAtKill = outcomes.filter(
        (o) => o.sample.jobId && o.sample.startedAt - origin < kill && (o.answeredAt ?? Infinity) > kill,
      );
      // A job in flight at the kill counts for the kill, whichever phase it started in.
      const hitByKill = new Set(inFlightAtKill);
      const notHitByKill = (list: Outcome[]): Outcome[] => list.filter((o) => !hitByKill.has(o));
      const killPhase = [...inFlightAtKill, ...startedIn(kill, marks.loadEnd as number)];
      const providerPhase = notHitByKill(startedIn(faultsOn, faultsOff));
      const redisPhase = notHitByKill(startedIn(redisStop, kill));
      // The jobs in Redis when it went down: accepted since the model faults began, before the kill.
      const redisExposed = notHitByKill(startedIn(faultsOn, kill)).filter((o) => o.sample.jobId);

      const killUnfinished = inFlightAtKill.filter((o) => o.state === 'lost').length;
      const killRecoveryMs =
        killUnfinished > 0
          ? Number.NaN
          : Math.max(kill, ...inFlightAtKill.map((o) => o.answeredAt ?? kill)) - kill;
      const firstAnsweredAfterRestart = outcomes
        .filter(
          (o) =>
            o.sample.startedAt - origin >= redisStart && o.state === 'answered' && o.answeredAt !== undefined,
        )
        .map((o) => o.answeredAt as number);
      const redisRecoveryMs =
        firstAnsweredAfterRestart.length > 0
          ? Math.min(...firstAnsweredAfterRestart) - redisStart
          : Number.NaN;
      // Started after the kill's stragglers (which finish only after BullMQ's stalled check).
      const inflightAtStop = outcomes.filter(
        (o) =>
          o.sample.startedAt - origin >= faultsOn &&
          o.sample.startedAt - origin < redisStop &&
          o.answeredAt !== undefined &&
          o.answeredAt > redisStop,
      );
      const acceptedAfterRestart = outcomes
        .filter((o) => o.sample.startedAt - origin >= redisStart && o.sample.jobId !== undefined)
        .map((o) => o.sample.startedAt - origin + (o.sample.acceptMs ?? 0));
      const acceptRecoveryMs =
        acceptedAfterRestart.length > 0 ? Math.min(...acceptedAfterRestart) - redisStart : Number.NaN;
      const providerCalls = callsAtFaultsOff - callsAtFaultsOn;
      const providerErrors = errorsAtFaultsOff - errorsAtFaultsOn;

      const rows = [
        { phase: 'baseline', list: baseline },
        { phase: `model ${PROVIDER_FAULT_RATE * 100}% HTTP 500`, list: providerPhase },
        { phase: 'redis stop → start → after', list: redisPhase },
        { phase: 'worker SIGKILL → end (+ jobs in flight at the kill)', list: killPhase },
      ].map(({ phase, list }) => ({
        phase,
        requests: list.length,
        answered: list.filter((o) => o.state === 'answered').length,
        'answered ratio': answeredRatio(list),
        failed: list.filter((o) => o.state === 'failed').length,
        rejected: list.filter((o) => o.state === 'rejected').length,
        lost: lostCount(list),
        'e2e p50 ms': round(quantile(e2e(list), 0.5), 0),
        'e2e p99 ms': round(quantile(e2e(list), 0.99), 0),
        'how they failed': JSON.stringify(kinds(list)),
      }));
      context.table(
        `faults: ${CLIENTS} closed-loop clients + ${ARRIVALS_PER_SECOND} new requests/s, ${WORKERS} workers × ${WORKER_CONCURRENCY} (bound ${throughputBound(WORKERS, WORKER_CONCURRENCY, MODEL_LATENCY_MS)}/s), model ${MODEL_LATENCY_MS} ms, own redis-server with AOF`,
        rows,
      );

      const metrics: Record<string, number> = {
        clients: CLIENTS,
        requests: outcomes.length,
        jobs_lost: lostCount(outcomes),
        // Of the jobs lost, those the server still holds as queued or active: a longer wait may answer them.
        jobs_unfinished: outcomes.filter((o) => o.state === 'lost' && o.kind !== 'job_missing').length,
        answered_ratio: answeredRatio(outcomes),
        kill_jobs_lost: lostCount(killPhase),
        kill_jobs_in_flight_at_kill: inFlightAtKill.length,
        kill_recovery_s: round(killRecoveryMs / 1000, 1),
        kill_worker_restart_s: round(workerRestartMs / 1000, 1),
        kill_answered_ratio: answeredRatio(killPhase),
        kill_e2e_p99_ms: round(quantile(e2e(killPhase), 0.99), 0),
        baseline_e2e_p50_ms: round(quantile(e2e(baseline), 0.5), 0),
        baseline_e2e_p99_ms: round(quantile(e2e(baseline), 0.99), 0),
        provider_answered_ratio: answeredRatio(providerPhase),
        provider_e2e_p50_ms: round(quantile(e2e(providerPhase), 0.5), 0),
        provider_e2e_p99_ms: round(quantile(e2e(providerPhase), 0.99), 0),
        provider_jobs_lost: lostCount(providerPhase),
        provider_model_calls: providerCalls,
        provider_observed_fault_rate: providerCalls > 0 ? round(providerErrors / providerCalls, 3) : 0,
        redis_outage_s: round((redisStart - redisStop) / 1000, 1),
        redis_requests: redisPhase.length,
        redis_requests_failed: redisPhase.filter((o) => o.state !== 'answered').length,
        redis_requests_rejected: redisPhase.filter((o) => o.state === 'rejected').length,
        redis_answered_ratio: answeredRatio(redisPhase),
        redis_recovery_s: round(redisRecoveryMs / 1000, 1),
        redis_jobs_lost: lostCount(redisExposed),
        // Requests already in flight when Redis stopped wait it out: the outage becomes their latency.
        redis_inflight_requests: inflightAtStop.length,
        redis_inflight_e2e_max_ms: round(Math.max(0, ...e2e(inflightAtStop)), 0),
        redis_accept_recovery_s: round(acceptRecoveryMs / 1000, 1),
      };
      for (const [key, value] of Object.entries(metrics)) if (Number.isNaN(value)) delete metrics[key];
      if (!Number.isFinite(killRecoveryMs)) {
        metrics.kill_jobs_unfinished = killUnfinished;
        context.log(
          `${killUnfinished} jobs in flight at the kill were still unfinished ${round((marks.end - kill) / 1000, 1)} s after it (BullMQ re-queues a dead worker's jobs only after its lock expires and a stalled check runs: ${QUEUE_LOCK_DURATION_MS / 1000} s + up to ${QUEUE_STALLED_INTERVAL_MS / 1000} s here)`,
        );
      }

      // Redis crashes (SIGKILL), once per fsync policy, on the same stack and the same Redis.
      for (const policy of ['everysec', 'always'] as const) {
        const crash = await redisCrashPhase({
          stack: running,
          api,
          redis,
          policy,
          plan: redisCrashPlan(context.quick),
          log: context.log,
        });
        for (const [key, value] of Object.entries(crash)) metrics[`redis_kill_${policy}_${key}`] = value;
      }
      const fsync = await fsyncThroughputPairs(redis, context.quick ? 6 : 10, context.quick ? 1_500 : 3_000);
      metrics.redis_fsync_everysec_enqueues_per_s = Math.round(quantile(fsync.everysec, 0.5));
      metrics.redis_fsync_always_enqueues_per_s = Math.round(quantile(fsync.always, 0.5));
      metrics.redis_fsync_always_throughput_ratio = round(quantile(fsync.ratios, 0.5), 3);
      context.log(
        `appendfsync always / everysec, BullMQ enqueues/s in ${fsync.ratios.length} back-to-back pairs: ${fsync.ratios.map((ratio) => round(ratio, 2)).join(' ')}`,
      );
      context.table(
        'Redis SIGKILLed and restarted on its AOF, per appendfsync policy (no restart of the API or workers)',
        (['everysec', 'always'] as const).map((policy) => {
          const of = (key: string): number | string => metrics[`redis_kill_${policy}_${key}`] ?? '—';
          return {
            appendfsync: policy === 'everysec' ? 'everysec (shipped)' : 'always',
            'acknowledged (before kill)': `${of('acknowledged')} (${of('acknowledged_before_kill')})`,
            lost: of('lost'),
            duplicated: of('duplicated'),
            '5xx (not 503)': of('5xx'),
            'outage: 503 / Retry-After / max ms': `${of('outage_503_ratio')} / ${of('outage_retry_after_ratio')} / ${of('outage_response_max_ms')}`,
            'recovery s': of('recovery_s'),
            'enqueues/s (median of pairs)': metrics[`redis_fsync_${policy}_enqueues_per_s`] ?? '—',
          };
        }),
      );

      // Answers and failures per second over the run, with the queue depth and the events marked.
      const bucket = (times: number[]): Array<[number, number]> => {
        const counts = new Map<number, number>();
        for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
        const last = Math.ceil((marks.end as number) / 1000);
        return Array.from({ length: last + 1 }, (_, second) => [second, counts.get(second) ?? 0]);
      };
      const suffix = context.quick ? '-quick' : '';
      const command = `npm run bench -- faults${context.quick ? ' --quick' : ''}`;
      const plot = writePlot(
        `faults-timeline${suffix}.svg`,
        lineChart({
          title: 'Answers, failures and queue depth while things break',
          subtitle: `${command} · ${cpus().length} vCPU shared with the load generator · ${CLIENTS} clients, ${WORKERS} workers × ${WORKER_CONCURRENCY}`,
          xLabel: 'seconds since the load started',
          yLabel: 'per second / jobs',
          series: [
            {
              name: 'answers/s',
              points: bucket(outcomes.flatMap((o) => (o.answeredAt === undefined ? [] : [o.answeredAt]))),
              dots: false,
            },
            {
              name: 'failed requests/s',
              points: bucket(
                outcomes
                  .filter((o) => o.state !== 'answered')
                  .map((o) => o.sample.startedAt - origin + (o.sample.acceptMs ?? 0)),
              ),
              dots: false,
            },
            { name: 'jobs waiting', points: depth.samples.map((s) => [s.t, s.queued]), dots: false },
          ],
          markers: [
            { x: kill / 1000, label: 'worker SIGKILL' },
            { x: faultsOn / 1000, label: 'model 30% 500' },
            { x: faultsOff / 1000, label: 'model ok' },
            { x: redisStop / 1000, label: 'redis stop' },
            { x: redisStart / 1000, label: 'redis start' },
          ],
        }),
      );
      const details = writeDetails(`faults-details${suffix}.json`, {
        command,
        metrics,
        timeline: plan,
        marksSeconds: Object.fromEntries(
          Object.entries(marks).map(([key, value]) => [key, round(value / 1000, 2)]),
        ),
        rows,
        failureKinds: kinds(outcomes),
      });
      context.log(`plot: ${plot}; details: ${details}`);
      return metrics;
    } finally {
      await client?.close().catch(() => undefined);
      await stack?.close().catch(() => undefined);
      await redis.close();
    }
  },
};

export default scenario;
