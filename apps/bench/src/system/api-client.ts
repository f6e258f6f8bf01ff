/**
 * The load generator's HTTP side: one undici Pool to the API (a keep-alive connection per client),
 * a chat call per mode, waiting for a job's answer by SSE (or polling), and closed-loop clients.
 */
import { Pool } from 'undici';
import type { RequestSample } from './stage-stats';
import { sleep } from './processes';

export type ChatMode = 'sync' | 'async';

interface AnswerUsage {
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly costUsd?: number;
}

export interface JobView {
  readonly state: 'queued' | 'active' | 'completed' | 'failed';
  readonly result: { usage?: AnswerUsage; cache?: string | null } | null;
  readonly error: { code: string; message: string } | null;
  readonly createdAt?: string;
  readonly finishedAt?: string | null;
}

const tokensOf = (usage: AnswerUsage | undefined): { prompt: number; completion: number } => ({
  prompt: usage?.promptTokens ?? 0,
  completion: usage?.completionTokens ?? 0,
});

/** Server-side life of a finished job (enqueued → finished), from its view; undefined when unknown. */
export function jobDurationMs(job: JobView): number | undefined {
  if (!job.createdAt || !job.finishedAt) return undefined;
  const duration = Date.parse(job.finishedAt) - Date.parse(job.createdAt);
  return Number.isFinite(duration) ? duration : undefined;
}

/** Why a request failed, as a short stable label: `http_503:QUEUE_UNAVAILABLE`, `UND_ERR_SOCKET`… */
export function failureKind(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/** Parses an SSE body and returns the data of the last `snapshot` event. */
export function lastSnapshot(body: string): JobView | undefined {
  let snapshot: JobView | undefined;
  for (const block of body.split('\n\n')) {
    const lines = block.split('\n');
    if (!lines.some((line) => line === 'event: snapshot')) continue;
    const data = lines
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .join('\n');
    if (data) snapshot = JSON.parse(data) as JobView;
  }
  return snapshot;
}

export class ApiClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;

  constructor(
    baseUrl: string,
    apiKey: string,
    connections: number,
    private readonly waitVia: 'sse' | 'poll' = 'sse',
  ) {
    this.pool = new Pool(baseUrl, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // Sync requests and SSE streams stay open as long as the queue in front of them.
      headersTimeout: 130_000,
      bodyTimeout: 130_000,
    });
    this.headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  }

  /**
   * One question, timed: `acceptMs` at the first response (200 or 202), `e2eMs` when the answer is
   * in hand. Never throws: a failure is a sample with `error`.
   */
  async ask(message: string, mode: ChatMode, deadlineMs = 120_000): Promise<RequestSample> {
    const startedAt = performance.now();
    try {
      const response = await this.pool.request({
        path: '/v1/chat',
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify({ message, mode }),
      });
      const acceptMs = performance.now() - startedAt;
      const body = (await response.body.json().catch(() => ({}))) as {
        jobId?: string;
        code?: string;
        error?: { code?: string };
        usage?: AnswerUsage;
        cache?: string | null;
      };
      if (response.statusCode === 200) {
        return {
          startedAt,
          acceptMs,
          e2eMs: performance.now() - startedAt,
          costUsd: body.usage?.costUsd ?? 0,
          tokens: tokensOf(body.usage),
          cacheHit: Boolean(body.cache),
        };
      }
      if (response.statusCode !== 202 || !body.jobId) {
        return {
          startedAt,
          acceptMs,
          error: `http_${response.statusCode}:${body.error?.code ?? body.code ?? 'no-code'}`,
        };
      }
      const jobId = body.jobId;
      const job = await this.waitForJob(jobId, startedAt + deadlineMs);
      if (job.state === 'completed') {
        return {
          startedAt,
          jobId,
          acceptMs,
          e2eMs: performance.now() - startedAt,
          costUsd: job.result?.usage?.costUsd ?? 0,
          tokens: tokensOf(job.result?.usage),
          cacheHit: Boolean(job.result?.cache),
          jobMs: jobDurationMs(job),
        };
      }
      return {
        startedAt,
        jobId,
        acceptMs,
        error:
          job.state === 'failed'
            ? `job_failed:${job.error?.code ?? 'unknown'}`
            : `job_${job.state}_at_deadline`,
      };
    } catch (error) {
      return { startedAt, error: failureKind(error) };
    }
  }

  /** The job as the API shows it now; `undefined` when the API does not know it (404). */
  async getJob(jobId: string): Promise<JobView | undefined> {
    const response = await this.pool.request({
      path: `/v1/jobs/${encodeURIComponent(jobId)}`,
      method: 'GET',
      headers: this.headers,
    });
    const body = (await response.body.json().catch(() => undefined)) as JobView | undefined;
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200 || !body)
      throw new Error(`GET job ${jobId}: HTTP ${response.statusCode}`);
    return body;
  }

  /** Waits until the job completes or fails, or `deadline` (performance.now() clock) passes. */
  async waitForJob(jobId: string, deadline: number): Promise<JobView> {
    if (this.waitVia === 'sse') {
      try {
        const snapshot = await this.streamJob(jobId, deadline);
        if (snapshot && (snapshot.state === 'completed' || snapshot.state === 'failed')) return snapshot;
      } catch {
        // The stream broke (an API restart, Redis away): fall back to polling.
      }
    }
    let last: JobView = { state: 'queued', result: null, error: null };
    while (performance.now() < deadline) {
      try {
        const response = await this.pool.request({
          path: `/v1/jobs/${encodeURIComponent(jobId)}`,
          method: 'GET',
          headers: this.headers,
        });
        const body = (await response.body.json().catch(() => undefined)) as JobView | undefined;
        if (response.statusCode === 200 && body) {
          last = body;
          if (body.state === 'completed' || body.state === 'failed') return body;
        }
      } catch {
        // Retried on the next poll.
      }
      await sleep(250);
    }
    return last;
  }

  private async streamJob(jobId: string, deadline: number): Promise<JobView | undefined> {
    const remaining = Math.max(1, deadline - performance.now());
    const response = await this.pool.request({
      path: `/v1/jobs/${encodeURIComponent(jobId)}/events`,
      method: 'GET',
      headers: { ...this.headers, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(remaining),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return undefined;
    return lastSnapshot(text);
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/**
 * Closed-loop clients: each sends its next request when the previous one is answered (or failed),
 * until `durationMs` has passed; requests in flight at the end are awaited. After a failure a
 * client waits `pauseAfterErrorMs`, as a real client backs off, instead of spinning on errors.
 */
export async function runClosedLoop(options: {
  readonly clients: number;
  readonly durationMs: number;
  readonly request: (client: number) => Promise<RequestSample>;
  readonly pauseAfterErrorMs?: number;
  /** Ends the loop early (clients finish the request they are in). */
  readonly signal?: AbortSignal;
}): Promise<RequestSample[]> {
  const samples: RequestSample[] = [];
  const end = performance.now() + options.durationMs;
  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      while (performance.now() < end && !options.signal?.aborted) {
        const sample = await options.request(client);
        samples.push(sample);
        if (sample.error !== undefined) await sleep(options.pauseAfterErrorMs ?? 100);
      }
    }),
  );
  return samples;
}

/**
 * Open-loop arrivals: a new request every 1/`ratePerSecond` s whatever happens to the previous
 * ones, until `signal` aborts; resolves with every sample once all have settled. Closed-loop
 * clients stall while the system stalls (no new request while the previous waits); this stream
 * shows what a request arriving at that moment gets.
 */
export async function runOpenLoop(options: {
  readonly ratePerSecond: number;
  readonly signal: AbortSignal;
  readonly request: () => Promise<RequestSample>;
}): Promise<RequestSample[]> {
  const pending: Array<Promise<RequestSample>> = [];
  const intervalMs = 1000 / options.ratePerSecond;
  const started = performance.now();
  for (let index = 0; !options.signal.aborted; index++) {
    pending.push(options.request());
    await sleep(Math.max(0, started + (index + 1) * intervalMs - performance.now()));
  }
  return Promise.all(pending);
}
