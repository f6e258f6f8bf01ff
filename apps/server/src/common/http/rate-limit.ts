import rateLimit from '@fastify/rate-limit';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyRequest } from 'fastify';
import { type AppConfig } from '../../config';
import {
  closeRedisClient,
  createRedisClient,
  redisTarget,
} from '../../infrastructure/redis/redis-connection';
import { hashApiKey } from '../../modules/tenants/api-key';
import { bearerToken, TenantAuthenticator } from '../auth/tenant-authenticator';

/**
 * Requests per minute per API key on /v1 (admin routes excluded): the tenant's own limit, else
 * RATE_LIMIT_PER_MINUTE. Counted in Redis when CACHE_DRIVER=redis (shared by every API replica),
 * in process memory otherwise. Over the limit: 429 with Retry-After.
 */
export async function registerRateLimit(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const authenticator = app.get(TenantAuthenticator);
  const target = config.CACHE_DRIVER === 'redis' ? redisTarget(config) : undefined;
  // On a Redis Cluster each key (one per API key) lives on its own slot: @fastify/rate-limit's
  // store runs one single-key script per request, which a Cluster client routes by that key.
  const redis = target
    ? createRedisClient(target, {
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
      .addHook('onClose', () => closeRedisClient(redis));
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
