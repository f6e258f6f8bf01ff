import { ServerError } from './server.error';

/**
 * The resource does not exist OR belongs to another tenant: the two are indistinguishable on
 * purpose, so a caller cannot learn that another tenant's id exists.
 */
export class NotFoundError extends ServerError {
  readonly code = 'NOT_FOUND';
  readonly category = 'USER' as const;

  constructor(resource: string, id: string) {
    super({ message: `${resource} ${id} not found`, details: { resource } });
  }
}
