import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-dependency-tests';

/** Redis does not answer (nothing listens on the port): 503 + Retry-After within about a second, never a hang. */
describe('a dependency is down', () => {
  let server: ServerUnderTest;
  let apiKey: string;

  beforeAll(async () => {
    server = await startServer({
      ROLE: 'api',
      QUEUE_DRIVER: 'bullmq',
      CACHE_DRIVER: 'redis',
      REDIS_URL: 'redis://127.0.0.1:1',
      VECTOR_STORE: 'memory',
      ADMIN_TOKEN,
      DEPENDENCY_TIMEOUT_MS: '500',
    });
    apiKey = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'A' } }))
      .body.apiKey;
  });

  afterAll(async () => {
    await server.close();
  });

  it('readiness answers 503 naming the failing dependency', async () => {
    const ready = await server.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect(ready.body.checks.queue.status).toBe('down');
    expect(ready.body.checks.database.status).toBe('up');
    expect(ready.body.error.message).toContain('queue');
  });

  it('a request that needs the queue gets 503 with Retry-After quickly', async () => {
    const response = await server.request('POST', '/v1/documents', {
      token: apiKey,
      body: { text: 'hello' },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBeTruthy();
    expect(response.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    // The test's own timeout (5 s, ten times DEPENDENCY_TIMEOUT_MS) is what catches a hanging request.
  }, 5000);
});
