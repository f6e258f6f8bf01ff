import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type HttpFailure, HttpJsonClient } from './http-json-client';

/** A loopback server answering with the handler's status, headers and body. */
async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

class TestFailure extends Error {
  constructor(readonly failure: HttpFailure) {
    super(failure.message);
  }
}
const client = (options: ConstructorParameters<typeof HttpJsonClient>[0] = {}) =>
  new HttpJsonClient(
    { initialBackoffMs: 1, random: () => 0, ...options },
    (failure) => new TestFailure(failure),
  );

describe('HttpJsonClient (cockatiel retry + bulkhead)', () => {
  it('retries retryable statuses up to maxRetries, then reports the last failure', async () => {
    let calls = 0;
    const server = await serve((_request, response) => {
      calls++;
      response.writeHead(503).end('busy');
    });
    try {
      await expect(client({ maxRetries: 2 }).post(server.url, {}, {})).rejects.toMatchObject({
        failure: { status: 503, retryable: true },
      });
      expect(calls).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('does not retry a 4xx other than 408/409/429, nor invalid JSON', async () => {
    let calls = 0;
    const server = await serve((request, response) => {
      calls++;
      if (request.url === '/bad-json') response.writeHead(200).end('{not json');
      else response.writeHead(400).end('no');
    });
    try {
      await expect(client().post(server.url, {}, {})).rejects.toMatchObject({ failure: { status: 400 } });
      await expect(client().post(`${server.url}bad-json`, {}, {})).rejects.toMatchObject({
        failure: { retryable: false, message: expect.stringContaining('invalid JSON') },
      });
      expect(calls).toBe(2);
    } finally {
      await server.close();
    }
  });

  it("waits the server's Retry-After (capped by maxBackoffMs) and succeeds", async () => {
    let calls = 0;
    const server = await serve((_request, response) => {
      calls++;
      if (calls === 1) response.writeHead(429, { 'retry-after': '1' }).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    try {
      // random() = 1 would make a jittered wait 250 ms; Retry-After: 1 s capped to 5 ms wins.
      expect(
        await client({ random: () => 1, initialBackoffMs: 250, maxBackoffMs: 5 }).post(server.url, {}, {}),
      ).toEqual({ ok: true });
      expect(calls).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('an abort during a long backoff rejects at once as not retryable', async () => {
    const server = await serve((_request, response) =>
      response.writeHead(503, { 'retry-after': '3600' }).end(),
    );
    try {
      const controller = new AbortController();
      const pending = client({ maxBackoffMs: 600_000 }).post(server.url, {}, {}, controller.signal);
      setTimeout(() => controller.abort(), 50);
      await expect(pending).rejects.toMatchObject({
        failure: { retryable: false, message: expect.stringContaining('aborted') },
      });
    } finally {
      await server.close();
    }
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const server = await serve((_request, response) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        response.writeHead(200, { 'content-type': 'application/json' }).end('1');
      }, 20);
    });
    try {
      const shared = client({ concurrency: 2 });
      expect(await Promise.all(Array.from({ length: 6 }, () => shared.post(server.url, {}, {})))).toEqual([
        1, 1, 1, 1, 1, 1,
      ]);
      expect(most).toBe(2);
    } finally {
      await server.close();
    }
  });
});
