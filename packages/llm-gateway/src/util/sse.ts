/**
 * Parses a server-sent-events byte stream into the `data` payload (and `event` name) of each event.
 * Handles CRLF, multi-line data and events split across chunks.
 */
export async function* parseServerSentEvents(
  body: AsyncIterable<Uint8Array | string>,
): AsyncIterable<{ readonly event: string | undefined; readonly data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let boundary = buffer.search(/\r?\n\r?\n/);
    while (boundary !== -1) {
      const raw = buffer.slice(0, boundary);
      const separator = buffer.slice(boundary).match(/^\r?\n\r?\n/)?.[0].length ?? 2;
      buffer = buffer.slice(boundary + separator);
      const parsed = parseEvent(raw);
      if (parsed) yield parsed;
      boundary = buffer.search(/\r?\n\r?\n/);
    }
  }
  const parsed = parseEvent(buffer);
  if (parsed) yield parsed;
}

function parseEvent(raw: string): { event: string | undefined; data: string } | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}
