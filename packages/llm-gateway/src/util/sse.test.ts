import { parseServerSentEvents } from './sse';

async function collect(chunks: string[]): Promise<{ event: string | undefined; data: string }[]> {
  const events = [];
  async function* body(): AsyncIterable<Uint8Array> {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  for await (const event of parseServerSentEvents(body())) events.push(event);
  return events;
}

describe('parseServerSentEvents (eventsource-parser)', () => {
  it('parses events split across chunks, CRLF, multi-line data, comments and a trailing event', async () => {
    expect(
      await collect([
        'data: {"a"',
        ':1}\r\n\r\n: keep-alive\n\nevent: message_delta\ndata: one\ndata: two\n',
        '\ndata: [DONE]',
      ]),
    ).toEqual([
      { event: undefined, data: '{"a":1}' },
      { event: 'message_delta', data: 'one\ntwo' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  it('decodes a multi-byte character split between two chunks', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    async function* body(): AsyncIterable<Uint8Array> {
      yield bytes.slice(0, 9);
      yield bytes.slice(9);
    }
    const events = [];
    for await (const event of parseServerSentEvents(body())) events.push(event.data);
    expect(events).toEqual(['café']);
  });
});
