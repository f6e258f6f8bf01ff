/**
 * Abort plumbing shared by tool calls, model calls and workflow tasks: every outside call is raced
 * against its signal, so a callee that ignores the signal is abandoned instead of hanging the run.
 */

export class AbortedError extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : 'aborted');
    this.name = 'AbortedError';
  }
}

/** Resolves or rejects like `work`, or rejects with `AbortedError` as soon as `signal` aborts. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new AbortedError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A child signal that aborts with its parent or after `timeoutMs`; `dispose` clears the timer. */
export function childSignal(
  parent: AbortSignal,
  timeoutMs: number | undefined,
  timeoutReason: () => Error,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const timer =
    timeoutMs === undefined || !Number.isFinite(timeoutMs)
      ? undefined
      : setTimeout(() => controller.abort(timeoutReason()), Math.max(0, timeoutMs));
  timer?.unref?.();
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}

/** Waits `ms`, or rejects early when `signal` aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return raceAbort(
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }),
    signal,
  );
}

export function describeError(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    const message = (error as { message?: unknown }).message;
    return {
      code: typeof code === 'string' ? code : 'ERROR',
      message: typeof message === 'string' ? message : String(error),
    };
  }
  return { code: 'ERROR', message: String(error) };
}
