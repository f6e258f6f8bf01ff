import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { seededRandom } from '../adapters/fake/fake-llm-provider';

/** How long a fake server waits before answering (time to first byte). */
export type LatencyDistribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /** Normal around `meanMs` with the given 99th percentile (σ = (p99 − mean) / 2.326), clamped at 0. */
  | { readonly kind: 'normal'; readonly meanMs: number; readonly p99Ms: number };

/**
 * `stream_break`: a streamed answer is cut (socket destroyed) after half of its text deltas; a
 * non-streamed one is answered normally.
 */
export type FaultKind = 'rate_limit' | 'server_error' | 'hang' | 'malformed' | 'stream_break';

export interface FaultRates {
  /** Share of requests answered 429 with Retry-After. */
  readonly rateLimit?: number;
  readonly serverError?: number;
  /** Share of requests that never get an answer (until the client gives up or the server closes). */
  readonly hang?: number;
  /** Share answered 200 with a body that breaks the wire format. */
  readonly malformed?: number;
}

export interface FakeServerOptions {
  readonly port?: number;
  readonly host?: string;
  readonly latency?: LatencyDistribution;
  /** Streaming speed; unset streams every chunk at once. */
  readonly tokensPerSecond?: number;
  readonly faults?: FaultRates;
  /** The Retry-After a 429 carries, in seconds (may be fractional: then `retry-after-ms` is sent too). */
  readonly retryAfterSeconds?: number;
  readonly seed?: number;
}

export interface FakeServerStats {
  requests: number;
  chatCompletions: number;
  streamed: number;
  embeddings: number;
  models: number;
  rateLimited: number;
  serverErrors: number;
  hangs: number;
  malformed: number;
}

export function emptyStats(): FakeServerStats {
  return {
    requests: 0,
    chatCompletions: 0,
    streamed: 0,
    embeddings: 0,
    models: 0,
    rateLimited: 0,
    serverErrors: 0,
    hangs: 0,
    malformed: 0,
  };
}

/** State shared by the fake OpenAI and Anthropic servers: seeded randomness, scripted faults, open sockets. */
export class FakeServerState {
  readonly stats = emptyStats();
  readonly sockets = new Set<Socket>();
  private readonly random: () => number;
  private readonly scripted: FaultKind[] = [];

  constructor(readonly options: FakeServerOptions) {
    this.random = seededRandom(options.seed ?? 7);
  }

  /** Queues faults that the next requests get, in order, before the random rates apply. */
  injectFaults(faults: readonly FaultKind[]): void {
    this.scripted.push(...faults);
  }

  nextFault(): FaultKind | null {
    const scripted = this.scripted.shift();
    if (scripted) return scripted;
    const rates = this.options.faults;
    if (!rates) return null;
    let draw = this.random();
    for (const [kind, rate] of [
      ['rate_limit', rates.rateLimit],
      ['server_error', rates.serverError],
      ['hang', rates.hang],
      ['malformed', rates.malformed],
    ] as const) {
      if (rate === undefined || rate <= 0) continue;
      if (draw < rate) return kind;
      draw -= rate;
    }
    return null;
  }

  latencyMs(): number {
    const latency = this.options.latency;
    if (!latency) return 0;
    switch (latency.kind) {
      case 'fixed':
        return latency.ms;
      case 'uniform':
        return latency.minMs + this.random() * (latency.maxMs - latency.minMs);
      case 'normal': {
        const sigma = Math.max(0, (latency.p99Ms - latency.meanMs) / 2.326);
        const gaussian = Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
        return Math.max(0, latency.meanMs + sigma * gaussian);
      }
    }
  }

  /** Milliseconds between streamed chunks of `tokens` tokens. */
  chunkDelayMs(tokens: number): number {
    return this.options.tokensPerSecond ? (tokens * 1000) / this.options.tokensPerSecond : 0;
  }

  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Counts a fault and answers it; returns true when the request was consumed by the fault. */
  answerFault(
    fault: FaultKind | null,
    response: ServerResponse,
    errorBody: (kind: FaultKind) => unknown,
  ): boolean {
    if (fault === null || fault === 'malformed' || fault === 'stream_break') return false;
    if (fault === 'hang') {
      this.stats.hangs++;
      return true;
    }
    if (fault === 'rate_limit') {
      this.stats.rateLimited++;
      const seconds = this.options.retryAfterSeconds ?? 1;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'retry-after': String(Math.ceil(seconds)),
      };
      if (!Number.isInteger(seconds)) headers['retry-after-ms'] = String(Math.round(seconds * 1000));
      response.writeHead(429, headers).end(JSON.stringify(errorBody(fault)));
      return true;
    }
    this.stats.serverErrors++;
    response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(fault)));
    return true;
  }
}

export async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? {} : (JSON.parse(text) as unknown);
}

export function wait(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** A deterministic unit vector for `text`: hashed word and trigram features, L2-normalised. */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const add = (feature: string, weight: number): void => {
    let hash = 2166136261;
    for (let i = 0; i < feature.length; i++) hash = Math.imul(hash ^ feature.charCodeAt(i), 16777619);
    const index = (hash >>> 0) % dimensions;
    vector[index] = (vector[index] ?? 0) + ((hash >>> 31) & 1 ? weight : -weight);
  };
  const lower = text.toLowerCase();
  for (const word of lower.match(/[\p{L}\p{N}]+/gu) ?? []) add(`w:${word}`, 1);
  for (let i = 0; i + 3 <= lower.length; i++) add(`t:${lower.slice(i, i + 3)}`, 0.3);
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}
