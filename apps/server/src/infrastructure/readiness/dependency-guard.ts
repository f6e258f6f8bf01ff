import { AiScaleError } from '@ai-scale/errors';
import { DependencyUnavailableError } from '../../common/errors';
import { withTimeout } from './readiness.registry';

let defaultTimeoutMs = 750;

/** Set once at boot from DEPENDENCY_TIMEOUT_MS. */
export function setDependencyTimeout(timeoutMs: number): void {
  defaultTimeoutMs = timeoutMs;
}

/**
 * Runs a call to a dependency with a deadline: a dependency that hangs or throws a non-typed error
 * becomes a `DependencyUnavailableError` (503 + Retry-After) within the deadline, never a hanging
 * request. Typed errors (`AiScaleError`) pass through so the filter maps them by code.
 */
export async function guardDependency<T>(
  dependency: string,
  call: () => Promise<T>,
  timeoutMs = defaultTimeoutMs,
): Promise<T> {
  try {
    return await withTimeout(call(), timeoutMs, dependency);
  } catch (error) {
    if (AiScaleError.isInstance(error) && error.category === 'USER') throw error;
    if (AiScaleError.isInstance(error) && !error.isRetryable && error.category !== 'SYSTEM') throw error;
    throw new DependencyUnavailableError(dependency, error);
  }
}
