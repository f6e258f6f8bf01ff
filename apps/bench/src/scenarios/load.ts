/**
 * `load`: the central claim, measured. The server as deployed (one API process, two worker
 * processes, Redis, PostgreSQL) in front of a fake model that takes 800 ms, under a ramp of
 * closed-loop clients. At every step of the ramp three ways of serving chat run one after the
 * other, so a drift of the shared machine hits all three alike:
 *   sync   – the HTTP request is held open until the model has answered (deadline > any wait);
 *   async  – 202 {jobId} at once, the answer by SSE;
 *   cached – async under a Zipf stream of repeated questions, so the answer cache can help.
 * sync and async send unique questions, so the cache cannot help them.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { lineChart } from '../plot';
import { round } from '../report';
import type { Scenario } from '../scenario';
import { ApiClient, runClosedLoop, type ChatMode } from '../system/api-client';
import { sampleQueueDepth } from '../system/depth-sampler';
import { sleep } from '../system/processes';
import { writeDetails, writePlot } from '../system/report-files';
import { startServerStack } from '../system/server-stack';
import {
  depthOver,
  modelCallsSavedRatio,
  summarizeStage,
  throughputBound,
  type StageFigures,
} from '../system/stage-stats';
import { expectedHitRatio, seededRandom, zipfSampler } from '../system/zipf';

const MODES = ['sync', 'async', 'cached'] as const;
type Mode = (typeof MODES)[number];

const MODEL_LATENCY_MS = 800;
const WORKERS = 2;
const ZIPF_QUESTIONS = 2_000;
const ZIPF_EXPONENT = 1.0;
/** gpt-4o-mini list price, USD per million tokens, to price the fake model's token counts. */
const LIST_PRICE = { prompt: 0.15, completion: 0.6 };

interface Settings {
  readonly stages: readonly number[];
  readonly stageMs: number;
  readonly workerConcurrency: number;
}

function settings(quick: boolean, flags: Readonly<Record<string, string | boolean>>): Settings {
  const base: Settings = quick
    ? // Two steps: on 2 shared vCPUs a burst of 500 clients alone takes longer than --quick may.
      { stages: [10, 60], stageMs: 1_500, workerConcurrency: 50 }
    : { stages: [10, 50, 100, 200, 500], stageMs: 20_000, workerConcurrency: 50 };
  const stages =
    typeof flags.stages === 'string' ? flags.stages.split(',').map((value) => Number(value)) : base.stages;
  return {
    stages,
    stageMs: typeof flags['stage-ms'] === 'string' ? Number(flags['stage-ms']) : base.stageMs,
    workerConcurrency:
      typeof flags['worker-concurrency'] === 'string'
        ? Number(flags['worker-concurrency'])
        : base.workerConcurrency,
  };
}

interface StageRow extends StageFigures {
  readonly clients: number;
  readonly mode: Mode;
  readonly startS: number;
  readonly endS: number;
  readonly model_calls: number;
  readonly model_calls_saved_ratio: number;
  readonly queue_max: number;
  readonly queue_mean: number;
}

const scenario: Scenario = {
  name: 'load',
  description:
    'sync vs async (202 + SSE) vs async with cache under a ramp of closed-loop clients, on 1 api + 2 workers, Redis, PostgreSQL and an 800 ms fake model',
  async run(context) {
    const config = settings(context.quick, context.flags);
    const bound = throughputBound(WORKERS, config.workerConcurrency, MODEL_LATENCY_MS);
    context.log(
      `stages ${config.stages.join(', ')} clients × ${config.stageMs} ms × ${MODES.length} modes; bound ${bound} answers/s`,
    );
    // A server process that dies mid-run (a crash, or someone else's kill) ends the run with an
    // error: what follows would measure a broken stack, not the architecture.
    const broken = new AbortController();
    let brokenReason = '';
    const stack = await startServerStack({
      redisUrl: typeof context.flags.redis === 'string' ? context.flags.redis : 'redis://127.0.0.1:6379',
      workers: WORKERS,
      workerConcurrency: config.workerConcurrency,
      modelLatencyMs: MODEL_LATENCY_MS,
      log: context.log,
      onUnexpectedExit: (description) => {
        brokenReason ||= description;
        broken.abort();
      },
    });
    const maxClients = Math.max(...config.stages);
    const client = new ApiClient(stack.apiUrl, stack.apiKey, maxClients + 16, 'sse');
    const origin = performance.now();
    const depth = sampleQueueDepth(() => stack.queueCounts(), origin);
    const runId = randomBytes(3).toString('hex');
    let unique = 0;
    const zipf = zipfSampler(ZIPF_QUESTIONS, ZIPF_EXPONENT, seededRandom(11));
    let zipfDraws = 0;
    const rows: StageRow[] = [];
    try {
      for (const clients of config.stages) {
        for (const mode of MODES) {
          const callsBefore = stack.fake.stats.chatCompletions;
          const startS = (performance.now() - origin) / 1000;
          const chatMode: ChatMode = mode === 'sync' ? 'sync' : 'async';
          const samples = await runClosedLoop({
            clients,
            durationMs: config.stageMs,
            signal: broken.signal,
            request: () => {
              let question: string;
              if (mode === 'cached') {
                zipfDraws++;
                question = `How do I configure feature ${zipf.next()} of the product?`;
              } else {
                question = `[${runId}-${++unique}] What does plan ${unique} include?`;
              }
              return client.ask(question, chatMode);
            },
          });
          if (broken.signal.aborted)
            throw new Error(`the stack broke during ${clients} clients ${mode}: ${brokenReason}`);
          const endS = (performance.now() - origin) / 1000;
          const figures = summarizeStage(samples, { boundPerSecond: bound, listPrice: LIST_PRICE });
          const modelCalls = stack.fake.stats.chatCompletions - callsBefore;
          const queue = depthOver(depth.samples, startS, endS);
          const row: StageRow = {
            clients,
            mode,
            startS: round(startS, 2),
            endS: round(endS, 2),
            ...figures,
            model_calls: modelCalls,
            model_calls_saved_ratio: modelCallsSavedRatio(modelCalls, figures.answered),
            queue_max: queue.max,
            queue_mean: queue.mean,
          };
          rows.push(row);
          context.log(
            `${clients} clients ${mode}: ${figures.answered}/${figures.requests} answered, accept p99 ${figures.accept_p99_ms} ms, e2e p50 ${figures.e2e_p50_ms} ms, ${figures.throughput_per_s}/s (${figures.throughput_ratio} of bound), queue max ${queue.max}, model calls ${modelCalls}${figures.errors > 0 ? `, errors ${JSON.stringify(figures.errorKinds)}` : ''}`,
          );
          // Every client has its answer, so the queue is empty again; wait for stragglers anyway.
          const settleUntil = performance.now() + 5_000;
          while (performance.now() < settleUntil) {
            const counts = await stack.queueCounts();
            if (counts.queued + counts.active === 0) break;
            await sleep(100);
          }
        }
      }
    } finally {
      await depth.stop();
      await client.close();
      await stack.close();
    }

    context.table(
      `load: ${WORKERS} workers × concurrency ${config.workerConcurrency}, model ${MODEL_LATENCY_MS} ms → bound ${bound} answers/s; stages of ${config.stageMs / 1000} s`,
      rows.map((row) => ({
        clients: row.clients,
        mode: row.mode,
        requests: row.requests,
        answered: row.answered,
        errors: row.errors,
        'accept p50 ms': row.accept_p50_ms,
        'accept p99 ms': row.accept_p99_ms,
        'e2e p50 ms': row.e2e_p50_ms,
        'e2e p99 ms': row.e2e_p99_ms,
        'job p50 ms': row.job_p50_ms,
        'answers/s': row.throughput_per_s,
        'of bound': row.throughput_ratio,
        'queue max': row.queue_max,
        'model calls': row.model_calls,
        saved: row.model_calls_saved_ratio,
        'USD per 1k answers': row.answered > 0 ? round((row.list_cost_usd / row.answered) * 1000, 4) : 0,
      })),
    );

    const suffix = context.quick ? '-quick' : '';
    const machine = `${cpus().length} vCPU (shared with the load generator)`;
    const command = `npm run bench -- load${context.quick ? ' --quick' : ''}`;
    const subtitle = `${command} · ${machine} · 1 api + ${WORKERS} workers × ${config.workerConcurrency}, model ${MODEL_LATENCY_MS} ms`;
    const byMode = (mode: Mode, pick: (row: StageRow) => number): Array<[number, number]> =>
      rows.filter((row) => row.mode === mode).map((row) => [row.clients, pick(row)]);
    const plots = [
      writePlot(
        `load-accept-latency${suffix}.svg`,
        lineChart({
          title: 'Time to first response (p99) against concurrent clients',
          subtitle,
          xLabel: 'concurrent clients (log scale)',
          yLabel: 'accept latency p99, ms (log scale)',
          logX: true,
          logY: true,
          series: MODES.map((mode) => ({ name: mode, points: byMode(mode, (row) => row.accept_p99_ms) })),
        }),
      ),
      writePlot(
        `load-e2e-latency${suffix}.svg`,
        lineChart({
          title: 'Time to the answer (p50) against concurrent clients',
          subtitle,
          xLabel: 'concurrent clients (log scale)',
          yLabel: 'end-to-end latency p50, ms',
          logX: true,
          series: MODES.map((mode) => ({ name: mode, points: byMode(mode, (row) => row.e2e_p50_ms) })),
        }),
      ),
      writePlot(
        `load-throughput${suffix}.svg`,
        lineChart({
          title: `Answers per second as a share of the bound (${bound}/s)`,
          subtitle,
          xLabel: 'concurrent clients (log scale)',
          yLabel: 'throughput ÷ bound',
          logX: true,
          series: MODES.map((mode) => ({ name: mode, points: byMode(mode, (row) => row.throughput_ratio) })),
        }),
      ),
      writePlot(
        `load-queue-depth${suffix}.svg`,
        lineChart({
          title: 'Queue depth over the run (jobs waiting for a worker)',
          subtitle,
          xLabel: 'seconds since start',
          yLabel: 'jobs',
          series: [
            { name: 'waiting', points: depth.samples.map((s) => [s.t, s.queued]), dots: false },
            { name: 'active', points: depth.samples.map((s) => [s.t, s.active]), dots: false },
          ],
          markers: rows.map((row) => ({ x: row.startS, label: `${row.clients} ${row.mode}` })),
        }),
      ),
    ];
    const cachedRows = rows.filter((row) => row.mode === 'cached');
    const cachedAnswers = cachedRows.reduce((sum, row) => sum + row.answered, 0);
    const cachedCalls = cachedRows.reduce((sum, row) => sum + row.model_calls, 0);

    const metrics: Record<string, number> = {
      bound_answers_per_s: bound,
      worker_concurrency: config.workerConcurrency,
      workers: WORKERS,
      model_latency_ms: MODEL_LATENCY_MS,
    };
    const top = Math.max(...config.stages);
    for (const mode of MODES) {
      const modeRows = rows.filter((row) => row.mode === mode);
      const atTop = modeRows.find((row) => row.clients === top);
      if (atTop) {
        metrics[`${mode}_accept_p50_ms`] = atTop.accept_p50_ms;
        metrics[`${mode}_accept_p99_ms`] = atTop.accept_p99_ms;
        metrics[`${mode}_e2e_p50_ms`] = atTop.e2e_p50_ms;
        metrics[`${mode}_e2e_p99_ms`] = atTop.e2e_p99_ms;
        metrics[`${mode}_throughput_ratio`] = atTop.throughput_ratio;
        metrics[`${mode}_queue_max`] = atTop.queue_max;
      }
      metrics[`${mode}_errors`] = modeRows.reduce((sum, row) => sum + row.errors, 0);
      const answers = modeRows.reduce((sum, row) => sum + row.answered, 0);
      const calls = modeRows.reduce((sum, row) => sum + row.model_calls, 0);
      metrics[`${mode}_model_calls_saved_ratio`] = modelCallsSavedRatio(calls, answers);
      metrics[`${mode}_cost_usd_per_1k_answers`] =
        answers > 0
          ? round((modeRows.reduce((sum, row) => sum + row.list_cost_usd, 0) / answers) * 1000, 4)
          : 0;
      metrics[`${mode}_server_cost_usd`] = round(
        modeRows.reduce((sum, row) => sum + row.cost_usd, 0),
        6,
      );
      for (const row of modeRows) {
        const key = `${mode}_c${row.clients}`;
        metrics[`${key}_accept_p99_ms`] = row.accept_p99_ms;
        metrics[`${key}_e2e_p50_ms`] = row.e2e_p50_ms;
        metrics[`${key}_throughput_ratio`] = row.throughput_ratio;
        metrics[`${key}_errors`] = row.errors;
      }
    }
    metrics.cached_best_possible_saved_ratio = round(expectedHitRatio(zipf, zipfDraws), 3);
    metrics.cached_answers = cachedAnswers;
    metrics.cached_model_calls = cachedCalls;
    const details = writeDetails(`load-stages${suffix}.json`, {
      command,
      metrics,
      settings: { ...config, workers: WORKERS, modelLatencyMs: MODEL_LATENCY_MS, boundPerSecond: bound },
      zipf: {
        questions: ZIPF_QUESTIONS,
        exponent: ZIPF_EXPONENT,
        draws: zipfDraws,
        bestPossibleSavedRatio: round(expectedHitRatio(zipf, zipfDraws), 3),
      },
      rows,
      queueDepth: depth.samples.map((s) => [round(s.t, 2), s.queued, s.active]),
    });
    context.log(`plots: ${plots.join(', ')}; details: ${details}`);
    return metrics;
  },
};

export default scenario;
