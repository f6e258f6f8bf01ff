import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { mapError } from './error-mapping';
import { OPENAI_ROUTE_PREFIX, toOpenAiError } from './openai-error-body';

/**
 * The global exception filter (registered as APP_FILTER): every error leaves as
 * `{"error": {"code", "message"}}` (`{"error": {"message", "type", "code", "param"}}` under /v1/openai/).
 */
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
  // The OpenAI-compatible API answers in OpenAI's error shape (guards and rate limits included),
  // so an OpenAI SDK raises its own typed errors; same status and Retry-After as everywhere else.
  const openAi = reply.request.url.startsWith(OPENAI_ROUTE_PREFIX);
  void reply.status(mapped.status).send(openAi ? toOpenAiError(mapped) : mapped.body);
}
