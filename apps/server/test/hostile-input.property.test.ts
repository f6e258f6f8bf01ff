import { waitFor } from '@ai-scale/testkit';
import fc from 'fast-check';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-hostile-input-0';
/** Runs per route: enough to reach every validation branch the generators can express, bounded for CI. */
const RUNS_PER_ROUTE = Number(process.env.HOSTILE_RUNS_PER_ROUTE ?? 15);

interface Route {
  readonly method: string;
  readonly path: string;
  /** Property names of the JSON request body the OpenAPI document declares, to aim values at them. */
  readonly bodyFields: readonly string[];
  readonly queryFields: readonly string[];
}

interface HostileRequest {
  readonly route: Route;
  readonly pathValues: readonly string[];
  readonly query: string;
  readonly auth: 'tenant' | 'admin' | 'none' | 'garbage' | 'other-tenant';
  readonly body:
    | { readonly kind: 'none' }
    | { readonly kind: 'json'; readonly value: unknown }
    | { readonly kind: 'raw'; readonly text: string; readonly contentType: string }
    | { readonly kind: 'multipart'; readonly parts: ReadonlyArray<readonly [string, string, boolean]> };
  readonly extraHeaders: Readonly<Record<string, string>>;
}

/** Strings that have broken parsers, filters, paths and regexes elsewhere. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    '..%2F..%2Fsecret',
    '__proto__',
    'constructor',
    "' OR 1=1 --",
    "tenantId = 'other' OR 1=1",
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    'a'.repeat(5_000),
    '(a+)+$',
    '\ud800',
    'NaN',
    '-1',
    '1e309',
    'null',
    '{}',
    '00000000-0000-0000-0000-000000000000',
  ),
);

const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e300, true, false, null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A JSON nested deeper than any body the API accepts. */
const deepJson = fc
  .integer({ min: 50, max: 2_000 })
  .map((depth) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown);

function bodyArbitrary(route: Route): fc.Arbitrary<HostileRequest['body']> {
  const aimed =
    route.bodyFields.length > 0
      ? fc
          .dictionary(fc.constantFrom(...route.bodyFields), nastyValue, { maxKeys: route.bodyFields.length })
          .map((value) => ({ kind: 'json' as const, value }))
      : fc.constant({ kind: 'none' as const });
  return fc.oneof(
    fc.constant({ kind: 'none' as const }),
    aimed,
    aimed,
    nastyValue.map((value) => ({ kind: 'json' as const, value })),
    deepJson.map((value) => ({ kind: 'json' as const, value })),
    fc.constantFrom({
      kind: 'json' as const,
      value: JSON.parse(
        '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
      ),
    }),
    fc
      .record({
        text: fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constantFrom('{', '{"a":', '[1,2', '\u0000\u0001', 'null'),
        ),
        contentType: fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
          'multipart/form-data; boundary=',
          'application/octet-stream',
          'garbage/???',
        ),
      })
      .map((raw) => ({ kind: 'raw' as const, ...raw })),
    fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom('file', 'title', 'metadata'), nastyString),
          nastyString,
          fc.boolean(),
        ),
        {
          maxLength: 4,
        },
      )
      .map((parts) => ({ kind: 'multipart' as const, parts })),
  );
}

function queryArbitrary(route: Route): fc.Arbitrary<string> {
  const keys =
    route.queryFields.length > 0 ? fc.oneof(fc.constantFrom(...route.queryFields), nastyString) : nastyString;
  return fc
    .array(fc.tuple(keys, nastyString), { maxLength: 3 })
    .map((pairs) =>
      pairs.length === 0
        ? ''
        : `?${new URLSearchParams(pairs.map(([k, v]) => [k, v] as [string, string])).toString()}`,
    );
}

describe('hostile input on every route (fast-check): never a 5xx, always the error shape, no state change on a 4xx', () => {
  let server: ServerUnderTest;
  let tenantKey: string;
  let otherTenantKey: string;
  let tenantId: string;
  let documentId: string;
  let routes: Route[];
  const seen = new Map<string, Set<number>>();

  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN, VECTOR_STORE: 'memory', RATE_LIMIT_PER_MINUTE: '1000000' });
    const tenant = await server.request('POST', '/v1/admin/tenants', {
      token: ADMIN_TOKEN,
      body: { name: 'T' },
    });
    ({ apiKey: tenantKey, tenantId } = tenant.body);
    otherTenantKey = (
      await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'Other' } })
    ).body.apiKey;
    const created = await server.request('POST', '/v1/documents', {
      token: tenantKey,
      body: { title: 'Seed', text: 'The seed document of the hostile-input suite.' },
    });
    documentId = created.body.documentId;
    await waitFor(
      async () =>
        (await server.request('GET', `/v1/documents/${documentId}`, { token: tenantKey })).body?.status ===
        'ready',
      { timeoutMs: 15_000, message: 'the seed document' },
    );
    const spec = (await server.request('GET', '/docs/openapi.json')).body as {
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; parameters?: Array<{ in: string; name: string }> }>
      >;
    };
    routes = Object.entries(spec.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => {
        const schema = (
          operation.requestBody as { content?: Record<string, { schema?: { properties?: object } }> }
        )?.content?.['application/json']?.schema;
        return {
          method: method.toUpperCase(),
          path,
          bodyFields: Object.keys(schema?.properties ?? {}),
          queryFields: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        };
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  /** What a refused request must not change: the tenant's documents, its usage, its admin record. */
  async function snapshot() {
    const [documents, usage, tenant] = await Promise.all([
      server.request('GET', '/v1/documents', { token: tenantKey }),
      server.request('GET', '/v1/usage', { token: tenantKey }),
      server.request('GET', `/v1/admin/tenants/${tenantId}`, { token: ADMIN_TOKEN }),
    ]);
    return { documents: documents.body, usage: usage.body?.total, tenant: tenant.body };
  }

  /** After an accepted request, background work (ingestion, async answers) settles before the next one. */
  async function settle(): Promise<void> {
    let previous = JSON.stringify(await snapshot());
    for (let attempt = 0; attempt < 50; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const current = JSON.stringify(await snapshot());
      if (current === previous) return;
      previous = current;
    }
  }

  async function send(
    request: HostileRequest,
  ): Promise<{ status: number; text: string; contentType: string }> {
    let path = request.route.path;
    for (const value of request.pathValues) path = path.replace(/\{[^}]+\}/, encodeURIComponent(value));
    const headers: Record<string, string> = { ...request.extraHeaders };
    const token = {
      tenant: tenantKey,
      admin: ADMIN_TOKEN,
      'other-tenant': otherTenantKey,
      garbage: 'sk-garbage\u00ff',
      none: undefined,
    }[request.auth];
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | FormData | undefined;
    const { body: given } = request;
    if (given.kind === 'json') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(given.value) ?? 'null';
    } else if (given.kind === 'raw') {
      headers['content-type'] = given.contentType;
      body = given.text;
    } else if (given.kind === 'multipart') {
      const form = new FormData();
      for (const [name, value, asFile] of given.parts) {
        if (asFile) form.append(name, new Blob([value]), value.slice(0, 20) || 'f');
        else form.append(name, value);
      }
      body = form;
    }
    const abort = new AbortController();
    // Event streams stay open: what is checked is the status they opened with.
    const timer = setTimeout(() => abort.abort(), 3_000);
    try {
      const response = await fetch(`${server.baseUrl}${path}${request.query}`, {
        method: request.route.method,
        headers,
        body: request.route.method === 'GET' ? undefined : body,
        signal: abort.signal,
      });
      const contentType = response.headers.get('content-type') ?? '';
      const text = contentType.includes('event-stream') ? '' : await response.text();
      return { status: response.status, text, contentType };
    } finally {
      clearTimeout(timer);
    }
  }

  it('covers every route of the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/documents', 'POST /v1/chat', 'POST /v1/admin/tenants']),
    );
  });

  it('refuses a multipart body the parser cannot read with 400, not 500 (found by this suite)', async () => {
    for (const contentType of [
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await fetch(`${server.baseUrl}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenantKey}`, 'content-type': contentType },
        body: '{',
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    }
  });

  it("answers a path parameter over Fastify's limit in the API's error shape (found by this suite)", async () => {
    const response = await server.request(
      'DELETE',
      `/v1/admin/tenants/${tenantId}/keys/${'a'.repeat(5_000)}`,
      {
        token: ADMIN_TOKEN,
      },
    );
    expect(response.status).toBe(414);
    expect(response.body.error.code).toBe('URI_TOO_LONG');
  });

  it('answers every generated request with < 500, the error shape on 4xx, and no change of state', async () => {
    for (const route of routes) {
      const pathParams = (route.path.match(/\{[^}]+\}/g) ?? []).length;
      const arbitrary = fc.record<HostileRequest>({
        route: fc.constant(route),
        pathValues: fc.array(fc.oneof(nastyString, fc.constant(documentId), fc.constant(tenantId)), {
          minLength: pathParams,
          maxLength: pathParams,
        }),
        query: queryArbitrary(route),
        auth: fc.constantFrom('tenant', 'tenant', 'admin', 'none', 'garbage', 'other-tenant'),
        body: bodyArbitrary(route),
        extraHeaders: fc.oneof(
          fc.constant<Record<string, string>>({}),
          fc.constantFrom<Record<string, string>>(
            { 'x-forwarded-for': '999.999.999.999' },
            { accept: 'text/event-stream' },
            { 'last-event-id': '../../x' },
            { 'accept-encoding': 'gzip;q=x, *;q=\u00ff' },
          ),
        ),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async (request) => {
          const before = await snapshot();
          const response = await send(request);
          const statuses = seen.get(`${route.method} ${route.path}`) ?? new Set<number>();
          statuses.add(response.status);
          seen.set(`${route.method} ${route.path}`, statuses);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400 && !route.path.startsWith('/v1/openai')) {
            const parsed = JSON.parse(response.text) as { error?: { code?: unknown; message?: unknown } };
            expect(typeof parsed.error?.code).toBe('string');
            expect(typeof parsed.error?.message).toBe('string');
          }
          if (response.status >= 400 && route.path.startsWith('/v1/openai')) {
            const parsed = JSON.parse(response.text) as { error?: { type?: unknown; message?: unknown } };
            expect(typeof parsed.error?.type).toBe('string');
            expect(typeof parsed.error?.message).toBe('string');
          }
          if (response.status >= 400) expect(await snapshot()).toEqual(before);
          else await settle();
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        }),
        {
          numRuns: RUNS_PER_ROUTE,
          seed: Number(process.env.HOSTILE_SEED ?? 20261202),
          endOnFailure: true,
          verbose: 1,
        },
      );
    }
    // The generators reach past authentication and validation, not only the first guard.
    const statuses = new Set([...seen.values()].flatMap((set) => [...set]));
    for (const status of [200, 400, 401, 404]) expect(statuses).toContain(status);
    const live = await server.request('GET', '/health/live');
    expect(live.status).toBe(200);
  }, 600_000);
});
