import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { mapError } from './error-mapping';

/** The global exception filter (registered as APP_FILTER): every error leaves as `{"error": {"code", "message"}}`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    sendError(reply, exception, this.logger);
  }
}

export function sendError(
  reply: FastifyReply,
  exception: unknown,
  logger?: Pick<Logger, 'error' | 'warn'>,
): void {
  const mapped = mapError(exception);
  if (mapped.status >= 500) {
    logger?.error({ err: exception, code: mapped.body.error.code }, 'request failed');
  }
  if (reply.sent || reply.raw.headersSent) return;
  if (mapped.retryAfterSeconds !== undefined) reply.header('Retry-After', String(mapped.retryAfterSeconds));
  void reply.status(mapped.status).send(mapped.body);
}
