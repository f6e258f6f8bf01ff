import { ServerError } from './server.error';

/** The request body, query or path does not match the schema; `field` names the first offending field. */
export class InvalidRequestError extends ServerError {
  readonly code = 'INVALID_REQUEST';
  readonly category = 'USER' as const;

  constructor(message: string, field?: string) {
    super({ message, details: field === undefined ? {} : { field } });
  }
}
