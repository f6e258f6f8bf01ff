export { DependencyUnavailableError } from './dependency-unavailable.error';
export { ForbiddenError } from './forbidden.error';
export { InvalidRequestError } from './invalid-request.error';
export { NotFoundError } from './not-found.error';
export { ServerError } from './server.error';
export { UnauthorizedError } from './unauthorized.error';
