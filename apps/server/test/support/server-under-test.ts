import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { type AppConfig, parseConfig } from '../../src/config';

process.env.SCARF_ANALYTICS = 'false';
process.env.LANCE_CPU_THREADS ??= '2';

export interface ServerUnderTest {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly baseUrl: string;
  readonly dataDir: string;
  request(method: string, url: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly rawBody?: string | Buffer | FormData;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** Starts the real application (same wiring as main.ts) on an ephemeral port, with a temporary DATA_DIR. */
export async function startServer(environment: Record<string, string> = {}): Promise<ServerUnderTest> {
  const dataDir = environment.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'ai-scale-server-'));
  const config = parseConfig({
    LOG_LEVEL: 'silent',
    DEMO_TENANT: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    ...environment,
    DATA_DIR: dataDir,
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || address === null) throw new Error('server did not bind a port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    baseUrl,
    dataDir,
    request: (method, url, options) => httpRequest(baseUrl, method, url, options),
    async close() {
      await app.close();
      if (!environment.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function httpRequest(
  baseUrl: string,
  method: string,
  url: string,
  options: RequestOptions = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | FormData | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.body);
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${url}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/**
 * Creates a tenant limited to 2 requests a minute and calls it 4 times: the first two pass, then
 * 429 with Retry-After and the RATE_LIMITED error body.
 */
export async function expectRateLimitedAfterTwo(server: ServerUnderTest, adminToken: string): Promise<void> {
  const limited = await server.request('POST', '/v1/admin/tenants', {
    token: adminToken,
    body: { name: 'chatty', rateLimitPerMinute: 2 },
  });
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let index = 0; index < 4; index += 1) {
    const response = await server.request('GET', '/v1/usage', { token: limited.body.apiKey });
    statuses.push(response.status);
    if (response.status === 429) {
      retryAfter = response.headers.get('retry-after');
      expect(response.body.error.code).toBe('RATE_LIMITED');
    }
  }
  expect(statuses.slice(0, 2)).toEqual([200, 200]);
  expect(statuses).toContain(429);
  expect(Number(retryAfter)).toBeGreaterThan(0);
}
