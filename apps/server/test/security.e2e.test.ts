import { Writable } from 'node:stream';
import { pino } from 'pino';
import { TenantAuthenticator } from '../src/common/auth/tenant-authenticator';
import { hashApiKey } from '../src/modules/tenants/api-key';
import { type AuthenticatedTenant, type TenantStore } from '../src/modules/tenants/tenant.store';
import { REQUEST_LOG_REDACT_PATHS } from '../src/infrastructure/logging/logging.module';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-security-tests-0123456789';

/** A filter nested `levels` deep, as JSON text: `{"and":[{"and":[ … {field, op, value} ]}]}`. */
function nestedFilter(levels: number): string {
  return `${'{"and":['.repeat(levels)}{"field":"team","op":"eq","value":"billing"}${']}'.repeat(levels)}`;
}

/** JSON text of an object nested `levels` deep (built as text: JSON.stringify itself overflows). */
function nestedObject(levels: number): string {
  return `${'{"a":'.repeat(levels)}"leaf"${'}'.repeat(levels)}`;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * The controls of docs/security.md that no other suite proves, over real HTTP on the embedded
 * configuration. Each test fails if its control is removed.
 */
describe('security controls (embedded configuration)', () => {
  let server: ServerUnderTest;
  let keyA: string;
  let keyB: string;
  let tenantA: string;

  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN, VECTOR_STORE: 'memory', RATE_LIMIT_PER_MINUTE: '1000' });
    const a = await server.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'sec A' },
    });
    const b = await server.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'sec B' },
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    keyA = a.body.apiKey;
    keyB = b.body.apiKey;
    tenantA = a.body.tenantId;
  });

  afterAll(async () => {
    await server.close();
  });

  describe('authentication', () => {
    it('refuses an admin token that differs in length, in its last character, or is a tenant key', async () => {
      for (const token of [
        ADMIN_TOKEN.slice(0, -1),
        `${ADMIN_TOKEN}x`,
        `${ADMIN_TOKEN.slice(0, -1)}X`,
        keyA,
      ]) {
        const response = await server.request('GET', `/v1/admin/tenants/${tenantA}`, { token });
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('UNAUTHORIZED');
      }
      expect(
        (await server.request('GET', `/v1/admin/tenants/${tenantA}`, { token: ADMIN_TOKEN })).status,
      ).toBe(200);
    });

    it('does not take the admin token as a tenant API key, nor a key in another header or scheme', async () => {
      expect((await server.request('GET', '/v1/usage', { token: ADMIN_TOKEN })).status).toBe(401);
      const basic = Buffer.from(`x:${keyA}`).toString('base64');
      for (const headers of <Record<string, string>[]>[
        { authorization: `Basic ${basic}` },
        { authorization: keyA },
        { 'x-api-key': keyA },
      ]) {
        expect((await server.request('GET', '/v1/usage', { headers })).status).toBe(401);
      }
      expect((await server.request('GET', '/v1/usage', { token: keyA })).status).toBe(200);
    });

    it('never returns a key, its hash or the admin token when a tenant is read', async () => {
      const tenants = await server.request('GET', `/v1/admin/tenants/${tenantA}`, { token: ADMIN_TOKEN });
      expect(tenants.status).toBe(200);
      expect(tenants.text).not.toContain(keyA);
      expect(tenants.text).not.toContain(keyB);
      expect(tenants.text).not.toContain(ADMIN_TOKEN);
      expect(tenants.text).not.toMatch(/[0-9a-f]{64}/);
    });
  });

  describe('input limits', () => {
    it('refuses a metadata filter nested far deeper than allowed with 400 INVALID_FILTER, not 500 (found by this review)', async () => {
      for (const levels of [9, 5000]) {
        const response = await server.request('POST', '/v1/search', {
          token: keyA,
          rawBody: `{"query":"x","filter":${nestedFilter(levels)}}`,
          headers: JSON_HEADERS,
        });
        expect(response.status).toBe(400);
        expect(response.body.error).toEqual({ code: 'INVALID_FILTER', message: expect.any(String) });
      }
      const shallow = await server.request('POST', '/v1/search', {
        token: keyA,
        rawBody: `{"query":"x","filter":${nestedFilter(7)}}`,
        headers: JSON_HEADERS,
      });
      expect(shallow.status).toBe(200);
    });

    it('refuses deeply nested JSON anywhere in a body with a 4xx in the error shape', async () => {
      const nested = nestedObject(5000);
      for (const [url, rawBody] of [
        ['/v1/documents', `{"title":"t","text":"c","metadata":${nested}}`],
        ['/v1/chat', `{"message":"q","extra":${nested}}`],
        ['/v1/search', `{"query":"q","mode":${nested}}`],
      ] as const) {
        const response = await server.request('POST', url, { token: keyA, rawBody, headers: JSON_HEADERS });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }
    });

    it('refuses a JSON body carrying __proto__ or constructor.prototype with 400, and pollutes nothing', async () => {
      const count = async () =>
        JSON.stringify((await server.request('GET', '/v1/documents', { token: keyA })).body);
      const before = await count();
      for (const rawBody of [
        '{"text":"t","__proto__":{"polluted":true}}',
        '{"text":"t","metadata":{"__proto__":{"polluted":true}}}',
        '{"text":"t","constructor":{"prototype":{"polluted":true}}}',
      ]) {
        const response = await server.request('POST', '/v1/documents', {
          token: keyA,
          rawBody,
          headers: JSON_HEADERS,
        });
        expect(response.status).toBe(400);
        expect(response.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await count()).toBe(before);
      // The same body without the poisoned key is accepted: the 400s above are the parser's.
      const accepted = await server.request('POST', '/v1/documents', {
        token: keyA,
        rawBody: '{"text":"t","metadata":{"polluted":true}}',
        headers: JSON_HEADERS,
      });
      expect(accepted.status).toBeLessThan(300);
    });
  });

  describe('no server-side request to a client-supplied URL', () => {
    it('takes no URL in any request body or parameter of the OpenAPI document', async () => {
      const document = (await server.request('GET', '/docs/openapi.json')).body;
      const found: string[] = [];
      const visit = (node: unknown, where: string): void => {
        if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${where}[${index}]`));
        if (node === null || typeof node !== 'object') return;
        for (const [key, value] of Object.entries(node)) {
          if (key === 'format' && (value === 'uri' || value === 'url')) found.push(where);
          if (key === 'properties' && value && typeof value === 'object') {
            for (const name of Object.keys(value)) if (/ur[il]$/i.test(name)) found.push(`${where}.${name}`);
          }
          visit(value, `${where}.${key}`);
        }
      };
      const paths = document.paths as Record<
        string,
        Record<string, { requestBody?: unknown; parameters?: unknown }>
      >;
      expect(Object.keys(paths).length).toBeGreaterThan(10);
      for (const [path, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          visit(operation.requestBody, `${method} ${path} body`);
          visit(operation.parameters, `${method} ${path} parameters`);
        }
      }
      // Schemas referenced by $ref from request bodies live under components: check those too.
      visit(document.components?.schemas, 'components');
      expect(found.filter((where) => where.includes('body') || where.includes('parameters'))).toEqual([]);
    });
  });
});

describe('request logs (the redaction the server configures for pino-http)', () => {
  it('redacts every credential header pino-http logs and API keys in logged objects (cookie and x-api-key found by this review)', () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString('utf8');
        done();
      },
    });
    const logger = pino({ redact: { paths: [...REQUEST_LOG_REDACT_PATHS], censor: '[redacted]' } }, sink);
    const secrets = {
      authorization: 'Bearer ais_secret-authorization',
      cookie: 'session=secret-cookie',
      'x-api-key': 'ais_secret-x-api-key',
      'x-admin-token': 'secret-admin-token',
      'proxy-authorization': 'Basic secret-proxy',
    };
    // The shape pino-http logs: `req.headers` as received, `res.headers` as sent.
    logger.info(
      { req: { method: 'GET', url: '/v1/usage', headers: { ...secrets, accept: '*/*' } } },
      'request',
    );
    logger.info({ res: { statusCode: 200, headers: { 'set-cookie': 'sid=secret-set-cookie' } } }, 'response');
    logger.info({ key: { apiKey: 'ais_secret-in-object', password: 'secret-password' } }, 'created');
    expect(written).not.toMatch(/secret/);
    expect(written).toContain('"accept":"*/*"');
    expect(written.match(/\[redacted\]/g)?.length).toBe(8);
  });
});

describe('API key revocation across replicas (TenantAuthenticator, clock faked)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    // The faked performance.now() starts at 0, which lru-cache reads as "no start time": move on.
    jest.advanceTimersByTime(1_000);
  });
  afterEach(() => jest.useRealTimers());

  it('a key revoked through one replica stops there at once and in every other within 10 s', async () => {
    const key = 'ais_revocation-test-key';
    const keys = new Map<string, AuthenticatedTenant>([
      [hashApiKey(key), { id: 'tenant-r', apiKeyId: 'key-r' } as AuthenticatedTenant],
    ]);
    // The shared database: both replicas read the same rows.
    const store = { authenticate: async (hash: string) => keys.get(hash) } as unknown as TenantStore;
    const replica1 = new TenantAuthenticator(store);
    const replica2 = new TenantAuthenticator(store);
    expect((await replica1.authenticate(`Bearer ${key}`))?.id).toBe('tenant-r');
    expect((await replica2.authenticate(`Bearer ${key}`))?.id).toBe('tenant-r');

    keys.clear(); // revoked in the database, through replica 1
    replica1.invalidate();
    expect(await replica1.authenticate(`Bearer ${key}`)).toBeUndefined();
    jest.advanceTimersByTime(9_000);
    expect((await replica2.authenticate(`Bearer ${key}`))?.id).toBe('tenant-r'); // still cached
    jest.advanceTimersByTime(1_001);
    expect(await replica2.authenticate(`Bearer ${key}`)).toBeUndefined();
  });
});
