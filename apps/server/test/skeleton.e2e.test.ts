import { type ServerUnderTest, startServer } from './support/server-under-test';

describe('server skeleton over HTTP (embedded defaults)', () => {
  let server: ServerUnderTest;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('GET /health/live answers without touching dependencies', async () => {
    const response = await server.request('GET', '/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', role: 'all' });
  });

  it('GET /health/ready checks every configured dependency by name', async () => {
    const response = await server.request('GET', '/health/ready');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    for (const check of Object.values(response.body.checks) as Array<{ status: string }>) {
      expect(check.status).toBe('up');
    }
  });

  it('GET /metrics serves Prometheus text with the HTTP request duration', async () => {
    await server.request('GET', '/health/live');
    const response = await server.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(response.text).toContain('http_server_request_duration_seconds');
  });

  it('serves the OpenAPI UI at /docs and its JSON document', async () => {
    const ui = await server.request('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const document = await server.request('GET', '/docs/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expect(Object.keys(document.body.paths)).toContain('/health/ready');
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const response = await server.request('GET', '/no/such/route');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('serves the web page of public/ at /', async () => {
    const page = await server.request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});
