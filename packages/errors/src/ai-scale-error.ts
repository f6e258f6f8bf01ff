/**
 * Who is to blame for an error, which decides how the server answers it:
 * - `USER`: the caller sent something wrong (4xx, never retried);
 * - `SYSTEM`: our own dependency failed (5xx/503, maybe retried);
 * - `THIRD_PARTY`: an external provider failed (502/503, usually retried or failed over).
 */
export type ErrorCategory = 'USER' | 'SYSTEM' | 'THIRD_PARTY';

export interface AiScaleErrorOptions {
  readonly message: string;
  readonly cause?: unknown;
  /** Overrides the category's default retryability. */
  readonly isRetryable?: boolean;
  /** Extra structured facts safe to show the caller (never secrets). */
  readonly details?: Readonly<Record<string, unknown>>;
}

const MARKER = Symbol.for('ai-scale.error');

/**
 * The base of every ai-scale error. `code` is a stable SCREAMING_SNAKE identifier that callers,
 * dashboards and the server's exception filter rely on; never change one once published.
 * `isInstance` checks a `Symbol.for` marker instead of the prototype chain, so it works across two
 * copies of the package in one process.
 */
export abstract class AiScaleError extends Error {
  readonly [MARKER] = true;
  abstract readonly code: string;
  abstract readonly category: ErrorCategory;
  readonly details: Readonly<Record<string, unknown>>;
  private readonly retryableOverride: boolean | undefined;

  protected constructor(options: AiScaleErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
    this.retryableOverride = options.isRetryable;
  }

  /** Whether trying the same operation again may succeed. USER errors never are by default. */
  get isRetryable(): boolean {
    return this.retryableOverride ?? this.category !== 'USER';
  }

  static isInstance(value: unknown): value is AiScaleError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  toJSON(): {
    code: string;
    message: string;
    category: ErrorCategory;
    details: Readonly<Record<string, unknown>>;
  } {
    return { code: this.code, message: this.message, category: this.category, details: this.details };
  }
}
