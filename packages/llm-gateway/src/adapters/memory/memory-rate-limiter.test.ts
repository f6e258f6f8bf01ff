import { rateLimiterContract } from '../../testing/rate-limiter-contract';
import { MemoryRateLimiter } from './memory-rate-limiter';

rateLimiterContract({ describe, it, beforeAll, afterAll }, 'memory', {
  create: (now) => new MemoryRateLimiter(now),
});
