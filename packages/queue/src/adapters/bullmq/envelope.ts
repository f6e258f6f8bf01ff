import { z } from 'zod';
import type { TraceCarrier } from '@ai-scale/telemetry';
import { JOB_FAILED, JOB_STALLED } from '../../internal/errors';
import type { JobErrorInfo, JobProgress } from '../../ports';

/**
 * What the adapter stores as a BullMQ job's `data`: the caller's payload plus what the port needs
 * and BullMQ has no field for. Short keys: this is written once per job.
 */
export interface Envelope {
  /** payload */
  readonly p: unknown;
  /** tenant id */
  readonly t?: string;
  /** idempotency key */
  readonly k?: string;
  /** enqueue nonce of an idempotent job: tells the first enqueue from a duplicate */
  readonly n?: string;
  /** W3C trace carrier of the producer */
  readonly c?: TraceCarrier;
  /** backoff [baseMs, maxMs, jitter] */
  readonly b: readonly [number, number, number];
  /** timeout ms */
  readonly o?: number;
  /** caller's priority (1–32) */
  readonly r: number;
}

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

/**
 * Reads a job's data back, checking its shape. Hand-written rather than a zod schema: it runs once
 * per job on the worker's hot path, where a schema parse cost more than BullMQ's own work.
 * Jobs written by something else than this adapter (a raw BullMQ producer on the same queue) are
 * accepted as bare payloads with default settings.
 */
export function readEnvelope(data: unknown): Envelope {
  if (typeof data === 'object' && data !== null && 'p' in data) {
    const envelope = data as Record<string, unknown>;
    const backoff = envelope.b;
    const carrier = envelope.c;
    if (
      Array.isArray(backoff) &&
      backoff.length === 3 &&
      backoff.every((value) => typeof value === 'number') &&
      typeof envelope.r === 'number' &&
      optionalString(envelope.t) &&
      optionalString(envelope.k) &&
      optionalString(envelope.n) &&
      (envelope.o === undefined || typeof envelope.o === 'number') &&
      (carrier === undefined ||
        (typeof carrier === 'object' &&
          carrier !== null &&
          Object.values(carrier).every((value) => typeof value === 'string')))
    ) {
      return data as Envelope;
    }
  }
  return { p: data, b: [1_000, 60_000, 0.5], r: 16 };
}

const errorInfoSchema = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });

/** A failed attempt's error is stored as JSON in BullMQ's `failedReason` so its code survives. */
export function encodeError(error: JobErrorInfo): string {
  return JSON.stringify(error);
}

export function decodeError(failedReason: string | undefined): JobErrorInfo | undefined {
  if (!failedReason) return undefined;
  try {
    const parsed = errorInfoSchema.safeParse(JSON.parse(failedReason));
    if (parsed.success) return parsed.data;
  } catch {
    // not ours: a message BullMQ wrote itself
  }
  if (/stalled more than allowable limit/i.test(failedReason)) {
    return { code: JOB_STALLED, message: failedReason, retryable: false };
  }
  return { code: JOB_FAILED, message: failedReason, retryable: true };
}

export function readProgress(progress: unknown): JobProgress {
  return typeof progress === 'number' || (typeof progress === 'object' && progress !== null)
    ? (progress as JobProgress)
    : 0;
}
