import { deleteRedisKeys, describeWithRedis, redisUrl, uniqueName } from '@ai-scale/testkit';
import { Redis } from 'ioredis';
import { rateLimiterContract } from '../../testing/rate-limiter-contract';
import { RedisRateLimiter } from './redis-rate-limiter';

describeWithRedis('RedisRateLimiter', () => {
  const prefix = uniqueName('rate');
  const clients = [new Redis(redisUrl()), new Redis(redisUrl())];
  afterAll(async () => {
    await deleteRedisKeys(`${prefix}:*`);
    await Promise.all(clients.map((client) => client.quit()));
  });
  rateLimiterContract({ describe, it, beforeAll, afterAll }, 'redis (two connections)', {
    create: (now) => new RedisRateLimiter({ client: clients[0] as Redis, prefix, now }),
    createPeer: (now) => new RedisRateLimiter({ client: clients[1] as Redis, prefix, now }),
  });
});
