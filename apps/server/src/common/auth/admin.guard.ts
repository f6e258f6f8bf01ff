import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { type AppConfig, InjectConfig } from '../../config';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { bearerToken } from './tenant-authenticator';

/** Admin routes: `Authorization: Bearer <ADMIN_TOKEN>`; disabled (403) when ADMIN_TOKEN is not set. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.ADMIN_TOKEN;
    if (!expected) throw new ForbiddenError('the admin API is disabled: set ADMIN_TOKEN');
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const given = bearerToken(request.headers.authorization);
    if (!given || !safeEqual(given, expected)) throw new UnauthorizedError('missing or invalid admin token');
    return true;
  }
}

/**
 * Constant-time string equality: both sides are hashed to 32 bytes first, so neither the position
 * of the first difference nor the expected token's length shows in the time taken.
 */
export function safeEqual(a: string, b: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b)) && a === b;
}
