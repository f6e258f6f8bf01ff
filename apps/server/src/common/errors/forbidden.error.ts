import { ServerError } from './server.error';

/** Authenticated, but not allowed (an admin endpoint without the admin token). */
export class ForbiddenError extends ServerError {
  readonly code = 'FORBIDDEN';
  readonly category = 'USER' as const;

  constructor(message: string) {
    super({ message });
  }
}
