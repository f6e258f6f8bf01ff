import { ServerError } from './server.error';

/** No API key, an unknown key or a revoked one (never says which, so keys cannot be probed). */
export class UnauthorizedError extends ServerError {
  readonly code = 'UNAUTHORIZED';
  readonly category = 'USER' as const;

  constructor(message = 'missing or invalid API key: send Authorization: Bearer <api key>') {
    super({ message });
  }
}
