import { type FastifyReply, type FastifyRequest } from 'fastify';

/** A server-sent events stream on a hijacked Fastify reply. */
export interface SseStream {
  send(event: string, data: unknown): void;
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
    send(event, data) {
      if (closed) return;
      raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
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
