import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-security-tests-0123456789';

/** Security headers (@fastify/helmet) on every kind of response, and CORS only when configured. */
describe('HTTP security headers and CORS', () => {
  describe('defaults (CORS_ORIGINS unset)', () => {
    let server: ServerUnderTest;
    let apiKey: string;

    beforeAll(async () => {
      server = await startServer({ ADMIN_TOKEN, VECTOR_STORE: 'memory' });
      apiKey = (
        await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'sec' } })
      ).body.apiKey;
    }, 60_000);
    afterAll(async () => {
      await server?.close();
    });

    it.each([
      ['the web page', '/', 200],
      ['Swagger UI', '/docs', 200],
      ['the vendored SSE parser', '/vendor/eventsource-parser/stream.js', 200],
      ['a JSON route', '/health/live', 200],
      ['an error', '/v1/stats', 401],
      ['an unknown route', '/nope', 404],
    ])('%s carries the security headers', async (_name, url, status) => {
      const response = await server.request('GET', url);
      expect(response.status).toBe(status);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('sends them on a server-sent event stream too', async () => {
      const response = await fetch(`${server.baseUrl}/v1/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello', mode: 'stream' }),
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      await response.text();
    });

    it('answers no CORS preflight: a browser on another origin is refused', async () => {
      const response = await fetch(`${server.baseUrl}/v1/search`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://elsewhere.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('serves the parser module as JavaScript from the installed package', async () => {
      const response = await server.request('GET', '/vendor/eventsource-parser/stream.js');
      expect(response.headers.get('content-type')).toContain('text/javascript');
      expect(response.text).toContain('class EventSourceParserStream');
      expect(response.text).toContain('from "./index.js"');
    });
  });

  describe('CORS_ORIGINS=https://app.example.com', () => {
    let server: ServerUnderTest;
    let apiKey: string;

    beforeAll(async () => {
      server = await startServer({
        ADMIN_TOKEN,
        VECTOR_STORE: 'memory',
        CORS_ORIGINS: 'https://app.example.com',
      });
      apiKey = (
        await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'cors' } })
      ).body.apiKey;
    }, 60_000);
    afterAll(async () => {
      await server?.close();
    });

    it('answers the preflight of an allowed origin with the methods and headers the API takes', async () => {
      const response = await fetch(`${server.baseUrl}/v1/search`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('lets the allowed origin read responses and their Retry-After, and no other origin', async () => {
      const allowed = await server.request('GET', '/v1/stats', {
        token: apiKey,
        headers: { origin: 'https://app.example.com' },
      });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(allowed.headers.get('access-control-expose-headers')).toContain('Retry-After');
      const other = await server.request('GET', '/v1/stats', {
        token: apiKey,
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
