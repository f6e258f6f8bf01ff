import Ajv, { type ValidateFunction } from 'ajv';
import { type ServerUnderTest, startServer, type TestResponse } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-openapi-tests-0123456789';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operation: Json;
}

function operationsOf(document: Json): Operation[] {
  return Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
  );
}

/** `/v1/jobs/abc` → the document's `/v1/jobs/{id}`. */
function templateOf(document: Json, concretePath: string): string {
  const match = Object.keys(document.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(concretePath),
  );
  if (!match) throw new Error(`no path of the document matches ${concretePath}`);
  return match;
}

/**
 * The OpenAPI document the server serves at /docs/openapi.json: every route and status has a
 * response schema, errors share the error body, SSE routes describe their events — and the bodies a
 * running server actually sends validate against the documented schemas.
 */
describe('OpenAPI document', () => {
  let server: ServerUnderTest;
  let document: Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validators = new Map<string, ValidateFunction>();

  /** Validates a real response against the document's schema for its route, status and media type. */
  function expectDocumented(method: string, url: string, response: TestResponse): void {
    const template = templateOf(document, url.split('?')[0] as string);
    const key = `${method.toLowerCase()} ${template} ${response.status}`;
    const documented = document.paths[template][method.toLowerCase()].responses[String(response.status)];
    if (!documented) throw new Error(`${key}: the server answered a status the document does not list`);
    let validate = validators.get(key);
    if (!validate) {
      const schema = JSON.parse(
        JSON.stringify(documented.content['application/json'].schema).replace(
          /\{"\$ref":"#\/components\/schemas\/(\w+)"\}/g,
          (_match, name: string) => JSON.stringify(document.components.schemas[name]),
        ),
      );
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    if (!validate(response.body))
      throw new Error(
        `${key}: body does not match the document: ${ajv.errorsText(validate.errors)}\n${response.text}`,
      );
  }

  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN, VECTOR_STORE: 'memory', CHAT_SYNC_DEADLINE_MS: '20000' });
    const response = await server.request('GET', '/docs/openapi.json');
    expect(response.status).toBe(200);
    document = response.body;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('lists every route the server has, each with a summary, an operationId and its security', () => {
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const { method, path, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, typeof operation.summary]).toEqual([where, 'string']);
      expect([where, typeof operation.operationId]).toEqual([where, 'string']);
      expect([where, Array.isArray(operation.security)]).toEqual([where, true]);
    }
    expect(document.paths['/metrics']).toBeDefined();
  });

  it('gives every status of every route a description and a body schema; errors use ErrorBody', () => {
    const missing: string[] = [];
    for (const { method, path, operation } of operationsOf(document)) {
      const where = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(operation.responses);
      if (!statuses.some((status) => /^2\d\d$/.test(status))) missing.push(`${where}: no 2xx response`);
      if (!statuses.some((status) => /^5\d\d$/.test(status))) missing.push(`${where}: no 5xx response`);
      if (operation.security.length > 0 && !statuses.includes('401')) missing.push(`${where}: no 401`);
      if (operation.security.length > 0 && !statuses.includes('400')) missing.push(`${where}: no 400`);
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        if (!response.description) missing.push(`${where} ${status}: no description`);
        const media = Object.entries((response.content ?? {}) as Record<string, Json>);
        if (media.length === 0) missing.push(`${where} ${status}: no body schema`);
        for (const [type, content] of media)
          if (!content.schema) missing.push(`${where} ${status} ${type}: no schema`);
        if (/^[45]/.test(status) && !(path === '/health/ready' && status === '503')) {
          const schema = response.content?.['application/json']?.schema;
          if (!schema?.$ref && !schema?.properties?.error)
            missing.push(`${where} ${status}: not an error body`);
        }
        if (status === '429' || status === '503')
          if (!response.headers?.['Retry-After']) missing.push(`${where} ${status}: no Retry-After header`);
      }
    }
    expect(missing).toEqual([]);
    expect(document.components.schemas.ErrorBody.properties.error.required).toEqual(['code', 'message']);
  });

  it('describes query parameters and the events of each server-sent event stream', () => {
    const parameters = (path: string, method: string): string[] =>
      (document.paths[path][method].parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(parameters('/v1/documents', 'get').sort()).toEqual(['limit', 'offset']);
    expect(parameters('/v1/usage', 'get').sort()).toEqual(['from', 'to']);

    const events = (path: string, method: string): string[] =>
      (document.paths[path][method].responses['200'].content['text/event-stream'].schema.oneOf as Json[]).map(
        (event) => event.properties.event.enum[0],
      );
    expect(events('/v1/chat', 'post')).toEqual(['token', 'done', 'error']);
    expect(events('/v1/jobs/{id}/events', 'get')).toEqual(
      expect.arrayContaining(['snapshot', 'active', 'progress', 'completed', 'failed']),
    );
    // The `done` event carries the same answer as a sync 200.
    const chat = document.paths['/v1/chat'].post.responses['200'].content;
    const done = chat['text/event-stream'].schema.oneOf.find((event: Json) => event.title === 'done');
    expect(done.properties.data).toEqual(chat['application/json'].schema);
  });

  it('matches the bodies the running server sends, success and error alike', async () => {
    const call = async (
      method: string,
      url: string,
      options: Parameters<ServerUnderTest['request']>[2] = {},
    ) => {
      const response = await server.request(method, url, options);
      expectDocumented(method, url, response);
      return response;
    };
    expect((await call('GET', '/health/live')).status).toBe(200);
    expect((await call('GET', '/health/ready')).status).toBe(200);

    const tenant = await call('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'openapi' } });
    expect(tenant.status).toBe(201);
    const { tenantId, apiKey } = tenant.body;
    expect((await call('GET', `/v1/admin/tenants/${tenantId}`, { token: ADMIN_TOKEN })).status).toBe(200);
    expect(
      (
        await call('PATCH', `/v1/admin/tenants/${tenantId}`, {
          token: ADMIN_TOKEN,
          body: { rateLimitPerMinute: 1000 },
        })
      ).status,
    ).toBe(200);
    const rotated = await call('POST', `/v1/admin/tenants/${tenantId}/keys`, {
      token: ADMIN_TOKEN,
      body: {},
    });
    expect(rotated.status).toBe(201);
    expect((await call('GET', '/v1/admin/tenants/nope', { token: ADMIN_TOKEN })).status).toBe(404);
    expect(
      (await call('POST', '/v1/admin/tenants', { token: 'wrong-admin-token-0123456789', body: {} })).status,
    ).toBe(401);

    const created = await call('POST', '/v1/documents', {
      token: apiKey,
      body: { title: 'Gliders', text: 'A glider stays aloft in thermals, columns of rising warm air.' },
    });
    expect(created.status).toBe(202);
    for (let attempt = 0; attempt < 200; attempt++) {
      const job = await call('GET', `/v1/jobs/${created.body.jobId}`, { token: apiKey });
      if (job.body.state === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(
      (await call('GET', `/v1/documents/${created.body.documentId}`, { token: apiKey })).body.status,
    ).toBe('ready');
    expect((await call('GET', '/v1/documents?limit=5', { token: apiKey })).status).toBe(200);
    expect((await call('GET', '/v1/documents?limit=0', { token: apiKey })).status).toBe(400);
    expect((await call('POST', '/v1/search', { token: apiKey, body: { query: 'thermals' } })).status).toBe(
      200,
    );
    expect((await call('POST', '/v1/search', { token: apiKey, body: { query: '' } })).status).toBe(400);

    const sync = await call('POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'How does a glider stay aloft?' },
    });
    expect([sync.status, sync.text]).toEqual([200, expect.any(String)]);
    const queued = await call('POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'What are thermals?', mode: 'async' },
    });
    expect(queued.status).toBe(202);
    expect((await call('GET', `/v1/jobs/${queued.body.jobId}`, { token: apiKey })).status).toBe(200);
    expect(
      (await call('GET', '/v1/jobs/00000000-0000-4000-8000-000000000000', { token: apiKey })).status,
    ).toBe(404);

    expect((await call('GET', '/v1/usage', { token: apiKey })).status).toBe(200);
    expect((await call('GET', '/v1/stats', { token: apiKey })).status).toBe(200);
    expect((await call('GET', '/v1/stats', { token: 'ask_not-a-key' })).status).toBe(401);
    // The OpenAI-compatible API, errors in OpenAI's shape.
    expect((await call('GET', '/v1/openai/models', { token: apiKey })).status).toBe(200);
    expect((await call('GET', '/v1/openai/models', { token: 'ask_not-a-key' })).status).toBe(401);
    const embeddings = await call('POST', '/v1/openai/embeddings', {
      token: apiKey,
      body: { model: 'auto', input: ['thermals'] },
    });
    expect(embeddings.status).toBe(200);
    const completion = await call('POST', '/v1/openai/chat/completions', {
      token: apiKey,
      body: { model: 'auto', messages: [{ role: 'user', content: 'What keeps a glider up?' }] },
    });
    expect(completion.status).toBe(200);
    expect(
      (await call('POST', '/v1/openai/chat/completions', { token: apiKey, body: { model: 'auto' } })).status,
    ).toBe(400);

    expect((await call('DELETE', `/v1/documents/${created.body.documentId}`, { token: apiKey })).status).toBe(
      200,
    );
    expect(
      (
        await call('DELETE', `/v1/admin/tenants/${tenantId}/keys/${rotated.body.keyId}`, {
          token: ADMIN_TOKEN,
        })
      ).status,
    ).toBe(200);
  }, 60_000);
});
