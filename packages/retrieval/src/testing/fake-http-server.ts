import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query string, e.g. `/vectors/list?namespace=t&prefix=d`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface FakeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A real HTTP server on 127.0.0.1 (random port) for testing adapters with their real clients:
 * records every request, answers through `handler`, and can be told to fail the next requests
 * (`failNext({ status: 429, headers: { 'retry-after': '0' } })`) to exercise retries.
 */
export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly failures: FakeResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(
    handler: (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>,
  ): Promise<FakeHttpServer> {
    const holder: { instance?: FakeHttpServer } = {};
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = raw.length > 0 ? JSON.parse(raw) : undefined;
        } catch {
          // keep the raw text
        }
        const request: RecordedRequest = {
          method: incoming.method ?? 'GET',
          path: incoming.url ?? '/',
          headers: incoming.headers,
          body,
        };
        const self = holder.instance as FakeHttpServer;
        self.requests.push(request);
        const failure = self.failures.shift();
        Promise.resolve(failure ?? handler(request))
          .catch((error: unknown): FakeResponse => ({ status: 500, body: { error: String(error) } }))
          .then((response) => {
            const payload = response.body === undefined ? '' : JSON.stringify(response.body);
            outgoing.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
            outgoing.end(payload);
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new FakeHttpServer(server, `http://127.0.0.1:${port}`);
    return holder.instance;
  }

  /** The next `responses.length` requests get these answers instead of the handler's. */
  failNext(...responses: FakeResponse[]): void {
    this.failures.push(...responses);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
