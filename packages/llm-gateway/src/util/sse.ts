import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Parses a server-sent-events byte stream into the `data` payload (and `event` name) of each event,
 * with `eventsource-parser` (the WHATWG event-stream grammar: CRLF/CR/LF, multi-line data,
 * comments, events split across chunks, a BOM).
 */
export async function* parseServerSentEvents(
  body: AsyncIterable<Uint8Array | string>,
): AsyncIterable<{ readonly event: string | undefined; readonly data: string }> {
  const decoder = new TextDecoder();
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) {
      const message = pending.shift() as EventSourceMessage;
      yield { event: message.event, data: message.data };
    }
  }
  // A last event without its blank line still counts (as the hand-written parser did).
  parser.feed('\n\n');
  for (const message of pending) yield { event: message.event, data: message.data };
}
