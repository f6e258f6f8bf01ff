import { ServerError } from './server.error';

/** A dependency (database, Redis, vector store, queue) did not answer in time; answered 503 + Retry-After. */
export class DependencyUnavailableError extends ServerError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  readonly category = 'SYSTEM' as const;

  constructor(dependency: string, cause?: unknown) {
    super({ message: `${dependency} is unavailable, retry shortly`, cause, details: { dependency } });
  }
}
