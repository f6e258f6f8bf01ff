import rateLimit from '@fastify/rate-limit';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { type AppConfig } from '../../config';
import { hashApiKey } from '../../modules/tenants/api-key';
import { bearerToken, TenantAuthenticator } from '../auth/tenant-authenticator';

/**
 * Requests per minute per API key on /v1 (admin routes excluded): the tenant's own limit, else
 * RATE_LIMIT_PER_MINUTE. Counted in Redis when CACHE_DRIVER=redis (shared by every API replica),
 * in process memory otherwise. Over the limit: 429 with Retry-After.
 */
export async function registerRateLimit(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const authenticator = app.get(TenantAuthenticator);
  const redis =
    config.CACHE_DRIVER === 'redis' && config.REDIS_URL
      ? new Redis(config.REDIS_URL, {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 1000,
          lazyConnect: false,
        })
      : undefined;
  if (redis) {
    redis.on('error', () => undefined);
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onClose', async () => void redis.quit().catch(() => redis.disconnect()));
  }
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    ...(redis ? { redis, nameSpace: `${config.CACHE_PREFIX}:ratelimit:`, skipOnError: true } : {}),
    allowList: (request: FastifyRequest) =>
      !request.url.startsWith('/v1/') || request.url.startsWith('/v1/admin'),
    keyGenerator: (request: FastifyRequest) => {
      const token = bearerToken(request.headers.authorization);
      return token ? `key:${hashApiKey(token).slice(0, 32)}` : `ip:${request.ip}`;
    },
    max: async (request: FastifyRequest) => {
      try {
        const tenant = await authenticator.authenticate(request.headers.authorization);
        return tenant?.rateLimitPerMinute ?? config.RATE_LIMIT_PER_MINUTE;
      } catch {
        return config.RATE_LIMIT_PER_MINUTE;
      }
    },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `rate limit of ${context.max} requests per minute exceeded, retry in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
}
