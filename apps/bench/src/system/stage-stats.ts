/**
 * Aggregation of one stage of a load run: what each request did (samples) → the figures the report
 * prints (accept and end-to-end percentiles, throughput against the architecture's bound, errors).
 */
import { quantile, round } from '../report';

/** One request of a closed-loop client. Times in ms on the `performance.now()` clock. */
export interface RequestSample {
  readonly startedAt: number;
  /** Time to the first response (200 in sync mode, 202 in async mode); absent if none came. */
  readonly acceptMs?: number;
  /** Time from sending the request to holding the answer; absent if no answer came. */
  readonly e2eMs?: number;
  /** Why the request produced no answer: `http_503`, `UND_ERR_SOCKET`, `job_failed:PROVIDER_ERROR`… */
  readonly error?: string;
  readonly costUsd?: number;
  /** Tokens the model was billed for this answer (0 for a cached answer). */
  readonly tokens?: { readonly prompt: number; readonly completion: number };
  /** The answer came from the answer cache. */
  readonly cacheHit?: boolean;
  /** Async requests: the job's own life on the server, enqueued → finished (queue wait + work). */
  readonly jobMs?: number;
  /** The job behind an async request, to look it up after the run (jobs lost or late). */
  readonly jobId?: string;
}

export interface StageFigures {
  readonly requests: number;
  readonly answered: number;
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly accept_p50_ms: number;
  readonly accept_p99_ms: number;
  readonly e2e_p50_ms: number;
  readonly e2e_p99_ms: number;
  /** Median of enqueued → finished on the server (async modes only; NaN in sync mode). */
  readonly job_p50_ms: number;
  /** Answers per second, from the stage's first request to its last answer. */
  readonly throughput_per_s: number;
  /** throughput_per_s ÷ the bound (workers × concurrency ÷ model latency). */
  readonly throughput_ratio: number;
  readonly cache_hits: number;
  /** Cost as the server reported it in the answers' usage. */
  readonly cost_usd: number;
  /** The answers' tokens priced at `listPrice` (USD per million tokens), when given. */
  readonly list_cost_usd: number;
}

export interface StageOptions {
  /** The most answers per second the workers can give: workers × concurrency ÷ model latency (s). */
  readonly boundPerSecond: number;
  /** USD per million prompt / completion tokens, to price the answers' tokens. */
  readonly listPrice?: { readonly prompt: number; readonly completion: number };
}

export function throughputBound(workers: number, concurrency: number, modelLatencyMs: number): number {
  return (workers * concurrency) / (modelLatencyMs / 1000);
}

/** Summarises a stage; percentiles of an empty list are NaN (reported as such, never as 0). */
export function summarizeStage(samples: readonly RequestSample[], options: StageOptions): StageFigures {
  const accepts: number[] = [];
  const e2es: number[] = [];
  const jobs: number[] = [];
  const errorKinds: Record<string, number> = {};
  let first = Number.POSITIVE_INFINITY;
  let lastAnswer = Number.NEGATIVE_INFINITY;
  let cost = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let hits = 0;
  for (const sample of samples) {
    first = Math.min(first, sample.startedAt);
    if (sample.acceptMs !== undefined) accepts.push(sample.acceptMs);
    if (sample.e2eMs !== undefined) {
      e2es.push(sample.e2eMs);
      lastAnswer = Math.max(lastAnswer, sample.startedAt + sample.e2eMs);
    }
    if (sample.jobMs !== undefined) jobs.push(sample.jobMs);
    if (sample.error !== undefined) errorKinds[sample.error] = (errorKinds[sample.error] ?? 0) + 1;
    cost += sample.costUsd ?? 0;
    promptTokens += sample.tokens?.prompt ?? 0;
    completionTokens += sample.tokens?.completion ?? 0;
    if (sample.cacheHit) hits++;
  }
  const elapsedSeconds = (lastAnswer - first) / 1000;
  const throughput = e2es.length > 0 && elapsedSeconds > 0 ? e2es.length / elapsedSeconds : 0;
  return {
    requests: samples.length,
    answered: e2es.length,
    errors: Object.values(errorKinds).reduce((sum, count) => sum + count, 0),
    errorKinds,
    accept_p50_ms: round(quantile(accepts, 0.5), 1),
    accept_p99_ms: round(quantile(accepts, 0.99), 1),
    e2e_p50_ms: round(quantile(e2es, 0.5), 1),
    e2e_p99_ms: round(quantile(e2es, 0.99), 1),
    job_p50_ms: round(quantile(jobs, 0.5), 1),
    throughput_per_s: round(throughput, 2),
    throughput_ratio: options.boundPerSecond > 0 ? round(throughput / options.boundPerSecond, 3) : 0,
    cache_hits: hits,
    cost_usd: round(cost, 6),
    list_cost_usd: options.listPrice
      ? round(
          (promptTokens * options.listPrice.prompt + completionTokens * options.listPrice.completion) / 1e6,
          6,
        )
      : 0,
  };
}

/** 1 − model calls ÷ answers: the share of answers the model did not have to produce. */
export function modelCallsSavedRatio(modelCalls: number, answers: number): number {
  if (answers <= 0) return 0;
  return round(Math.max(0, 1 - modelCalls / answers), 3);
}

/** A time series sample of the queue, for the queue-depth plot. */
export interface QueueDepthSample {
  /** Seconds since the run started. */
  readonly t: number;
  readonly queued: number;
  readonly active: number;
}

/** Max and mean of the queued count over the samples taken in [fromS, toS]. */
export function depthOver(
  samples: readonly QueueDepthSample[],
  fromS: number,
  toS: number,
): { max: number; mean: number } {
  const inside = samples.filter((sample) => sample.t >= fromS && sample.t <= toS);
  if (inside.length === 0) return { max: 0, mean: 0 };
  const max = Math.max(...inside.map((sample) => sample.queued));
  const mean = inside.reduce((sum, sample) => sum + sample.queued, 0) / inside.length;
  return { max, mean: round(mean, 1) };
}
