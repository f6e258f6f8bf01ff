import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Record<string, { status: 'up' | 'down'; error?: string; latencyMs: number }>;
}

/**
 * Each infrastructure module registers how to probe its dependency (database, Redis, vector store,
 * queue); `GET /health/ready` runs them all, each bounded by a timeout, and names the failing ones.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async run(timeoutMs: number): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const started = performance.now();
        try {
          await withTimeout(check(), timeoutMs, name);
          return [
            name,
            { status: 'up' as const, latencyMs: Math.round(performance.now() - started) },
          ] as const;
        } catch (error) {
          return [
            name,
            {
              status: 'down' as const,
              error: error instanceof Error ? error.message : String(error),
              latencyMs: Math.round(performance.now() - started),
            },
          ] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { status: entries.every(([, result]) => result.status === 'up') ? 'ok' : 'unavailable', checks };
  }
}

/** Rejects when `promise` does not settle within `timeoutMs`: a dependency that hangs counts as down. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
