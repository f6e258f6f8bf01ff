import { z } from 'zod';
import { InvalidJobOptionsError } from '../errors';
import type { EnqueueOptions, EnqueueRequest, JsonValue } from '../ports';

export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 32;
export const DEFAULT_PRIORITY = 16;
export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF = { type: 'exponential', baseMs: 1_000, maxMs: 60_000, jitter: 0.5 } as const;

const enqueueOptionsSchema = z.strictObject({
  tenantId: z.string().min(1).max(200).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  priority: z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX).optional(),
  delayMs: z
    .number()
    .int()
    .min(0)
    .max(365 * 24 * 3_600_000)
    .optional(),
  attempts: z.number().int().min(1).max(100).optional(),
  backoff: z
    .strictObject({
      type: z.literal('exponential'),
      baseMs: z
        .number()
        .int()
        .min(0)
        .max(24 * 3_600_000)
        .optional(),
      maxMs: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 3_600_000)
        .optional(),
      jitter: z.number().min(0).max(1).optional(),
    })
    .optional(),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .max(24 * 3_600_000)
    .optional(),
});

const jobNameSchema = z.string().min(1).max(200);

/** Options with every default filled in: what an adapter stores. */
export interface ResolvedEnqueueOptions {
  readonly tenantId: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly priority: number;
  readonly delayMs: number;
  readonly attempts: number;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number; readonly jitter: number };
  readonly timeoutMs: number | undefined;
}

const DEFAULT_RESOLVED: ResolvedEnqueueOptions = {
  tenantId: undefined,
  idempotencyKey: undefined,
  priority: DEFAULT_PRIORITY,
  delayMs: 0,
  attempts: DEFAULT_ATTEMPTS,
  backoff: DEFAULT_BACKOFF,
  timeoutMs: undefined,
};

/** Validates a job's name, payload and options; throws `InvalidJobOptionsError` naming every problem. */
export function resolveEnqueue(
  name: string,
  payload: unknown,
  options: EnqueueOptions | undefined,
): ResolvedEnqueueOptions {
  const issues: string[] = [];
  if (!jobNameSchema.safeParse(name).success) issues.push('name: must be a string of 1–200 characters');
  const payloadIssue = jsonIssue(payload, 'payload');
  if (payloadIssue) issues.push(payloadIssue);
  let resolved = DEFAULT_RESOLVED;
  if (options !== undefined) {
    const parsed = enqueueOptionsSchema.safeParse(options);
    if (parsed.success) {
      const value = parsed.data;
      resolved = {
        tenantId: value.tenantId,
        idempotencyKey: value.idempotencyKey,
        priority: value.priority ?? DEFAULT_PRIORITY,
        delayMs: value.delayMs ?? 0,
        attempts: value.attempts ?? DEFAULT_ATTEMPTS,
        backoff: {
          baseMs: value.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
          maxMs: value.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
          jitter: value.backoff?.jitter ?? DEFAULT_BACKOFF.jitter,
        },
        timeoutMs: value.timeoutMs,
      };
    } else {
      for (const issue of parsed.error.issues)
        issues.push(`options.${issue.path.join('.')}: ${issue.message}`);
    }
  }
  if (issues.length > 0) {
    throw new InvalidJobOptionsError(`invalid job "${String(name)}": ${issues.join('; ')}`, issues);
  }
  return resolved;
}

export function resolveBulk(requests: readonly EnqueueRequest[]): ResolvedEnqueueOptions[] {
  if (!Array.isArray(requests)) throw new InvalidJobOptionsError('enqueueBulk expects an array of requests');
  return requests.map((request, index) => {
    try {
      return resolveEnqueue(request?.name, request?.payload, request?.options);
    } catch (error) {
      if (error instanceof InvalidJobOptionsError) {
        throw new InvalidJobOptionsError(`request ${index}: ${error.message}`, error.issues, error);
      }
      throw error;
    }
  });
}

/**
 * Why `value` would not survive a JSON round trip unchanged, or undefined when it would.
 * Stricter than `JSON.stringify`, which silently drops functions and `undefined` and turns a
 * `Date` into a string: a handler must receive exactly what the producer sent.
 */
export function jsonIssue(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 64) return `${path}: nested too deeply`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path}: ${String(value)} is not JSON`;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const issue = jsonIssue(value[i], `${path}[${i}]`, depth + 1);
          if (issue) return issue;
        }
        return undefined;
      }
      // Realm-independent: an object made by structuredClone or in another vm context (jest) has
      // that realm's Object.prototype, whose own prototype is null.
      const prototype = Object.getPrototypeOf(value) as object | null;
      if (prototype !== null && Object.getPrototypeOf(prototype) !== null) {
        return `${path}: a ${(value as object).constructor?.name ?? 'class instance'} is not plain JSON`;
      }
      for (const [key, item] of Object.entries(value)) {
        const issue = jsonIssue(item, `${path}.${key}`, depth + 1);
        if (issue) return issue;
      }
      return undefined;
    }
    default:
      return `${path}: ${typeof value} is not JSON`;
  }
}

export function assertJson(value: unknown, what: string): asserts value is JsonValue {
  const issue = jsonIssue(value, what);
  if (issue) throw new InvalidJobOptionsError(issue, [issue]);
}

/** The delay before attempt `attemptsMade + 1`: exponential, capped, then jittered downwards. */
export function backoffDelay(
  attemptsMade: number,
  backoff: ResolvedEnqueueOptions['backoff'],
  random: () => number = Math.random,
): number {
  const exponential = backoff.baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const capped = Math.min(backoff.maxMs, exponential);
  return Math.round(capped * (1 - backoff.jitter * random()));
}
