import { z } from 'zod';
import { InvalidJobOptionsError } from '../errors';
import type { WorkerOptions } from '../ports';

const workerOptionsSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(10_000).optional(),
  rateLimit: z.strictObject({ max: z.number().int().min(1), durationMs: z.number().int().min(1) }).optional(),
  lockDurationMs: z.number().int().min(10).optional(),
  stalledIntervalMs: z.number().int().min(10).optional(),
  maxStalledCount: z.number().int().min(0).optional(),
  shutdownDeadlineMs: z.number().int().min(0).optional(),
  onError: z.custom<NonNullable<WorkerOptions['onError']>>((value) => typeof value === 'function').optional(),
});

export interface ResolvedWorkerOptions {
  readonly concurrency: number;
  readonly rateLimit: { readonly max: number; readonly durationMs: number } | undefined;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  readonly shutdownDeadlineMs: number;
  readonly onError: NonNullable<WorkerOptions['onError']>;
}

export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const parsed = workerOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `options.${issue.path.join('.')}: ${issue.message}`);
    throw new InvalidJobOptionsError(`invalid worker options: ${issues.join('; ')}`, issues);
  }
  const value = parsed.data;
  return {
    concurrency: value.concurrency ?? 1,
    rateLimit: value.rateLimit,
    lockDurationMs: value.lockDurationMs ?? 30_000,
    stalledIntervalMs: value.stalledIntervalMs ?? 30_000,
    maxStalledCount: value.maxStalledCount ?? 1,
    shutdownDeadlineMs: value.shutdownDeadlineMs ?? 30_000,
    onError: value.onError ?? (() => undefined),
  };
}
