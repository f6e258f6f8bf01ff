import { type FastifyReply, type FastifyRequest } from 'fastify';

/** A server-sent events stream on a hijacked Fastify reply. */
export interface SseStream {
  /** An event; `id` (when given) is what the client sends back as `Last-Event-ID` to resume. */
  send(event: string, data: unknown, id?: string | number): void;
  /** A data-only message (no `event:` line), as OpenAI's streams send: a string verbatim, else JSON. */
  sendData(data: unknown): void;
  close(): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

/**
 * Opens an SSE response: headers, a heartbeat comment every 15 s (proxies drop idle streams), and
 * cleanup when the client goes away.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply): SseStream {
  reply.hijack();
  const raw = reply.raw;
  // The headers hooks set on the reply (security headers, CORS) go out with the stream too.
  const hookHeaders = Object.fromEntries(
    Object.entries(reply.getHeaders()).filter(
      (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
    ),
  );
  raw.writeHead(200, {
    ...hookHeaders,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write(': connected\n\n');
  const listeners: Array<() => void> = [];
  let closed = false;
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), 15_000);
  heartbeat.unref();
  const finish = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of listeners) listener();
    if (!raw.writableEnded) raw.end();
  };
  request.raw.on('close', finish);
  return {
    send(event, data, id) {
      if (closed) return;
      const idLine = id === undefined ? '' : `id: ${String(id).replace(/[\r\n]/g, '')}\n`;
      raw.write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    sendData(data) {
      if (closed) return;
      raw.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    },
    close: finish,
    get closed() {
      return closed;
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}

/** The `Last-Event-ID` a reconnecting client sent, as a non-negative integer (else undefined). */
export function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
