#!/usr/bin/env node
/**
 * Runs the fake OpenAI-compatible server as a process, for load tests:
 *   node packages/llm-gateway/dist/testing/fake-openai-server-cli.js --port 8090 --latency-ms 800 \
 *     [--latency fixed|uniform|normal] [--latency-min-ms N --latency-max-ms N] [--latency-p99-ms N] \
 *     [--tokens-per-second N] [--rate-429 0.1] [--rate-500 0.05] [--rate-hang 0.01] [--rate-malformed 0.01] \
 *     [--retry-after-s 1] [--seed 7] [--host 127.0.0.1]
 * Prints the base URL, and the call counters on SIGINT/SIGTERM.
 */
import type { LatencyDistribution } from './fake-server-common';
import { startFakeOpenAiServer } from './fake-openai-server';

function parse(argv: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags[arg.slice(2)] = next;
        i++;
      } else flags[arg.slice(2)] = 'true';
    }
  }
  return flags;
}

function number(flags: Record<string, string>, name: string, fallback?: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const flags = parse(process.argv.slice(2));
  const kind = flags.latency ?? 'fixed';
  const latencyMs = number(flags, 'latency-ms', 0) ?? 0;
  let latency: LatencyDistribution;
  if (kind === 'uniform') {
    latency = {
      kind,
      minMs: number(flags, 'latency-min-ms', 0) ?? 0,
      maxMs: number(flags, 'latency-max-ms', latencyMs * 2) ?? 0,
    };
  } else if (kind === 'normal') {
    latency = { kind, meanMs: latencyMs, p99Ms: number(flags, 'latency-p99-ms', latencyMs * 2) ?? 0 };
  } else if (kind === 'fixed') {
    latency = { kind, ms: latencyMs };
  } else {
    console.error(`--latency must be fixed, uniform or normal, got "${kind}"`);
    process.exit(2);
  }
  const server = await startFakeOpenAiServer({
    port: number(flags, 'port', 8090),
    host: flags.host ?? '127.0.0.1',
    latency,
    tokensPerSecond: number(flags, 'tokens-per-second'),
    retryAfterSeconds: number(flags, 'retry-after-s', 1),
    seed: number(flags, 'seed', 7),
    faults: {
      rateLimit: number(flags, 'rate-429'),
      serverError: number(flags, 'rate-500'),
      hang: number(flags, 'rate-hang'),
      malformed: number(flags, 'rate-malformed'),
    },
  });
  console.log(`fake OpenAI-compatible server listening on ${server.url}`);
  const stop = (): void => {
    console.log(JSON.stringify(server.stats));
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
