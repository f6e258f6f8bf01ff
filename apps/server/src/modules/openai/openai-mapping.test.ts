import { toOpenAiError } from '../../common/http/openai-error-body';
import { embeddingToBase64, toGatewayMessages, toOpenAiFinishReason } from './openai-mapping';

describe('OpenAI wire mapping', () => {
  it('maps developer to system, assistant tool calls and tool results to the gateway messages', () => {
    expect(
      toGatewayMessages([
        { role: 'developer', content: 'be brief' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      ]),
    ).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_1', content: 'done' },
    ]);
    expect(toOpenAiFinishReason('other')).toBe('stop');
  });

  it('encodes embeddings as little-endian float32 in base64', () => {
    const bytes = Buffer.from(embeddingToBase64([0.5, -1, 2]), 'base64');
    const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect([...decoded]).toEqual([0.5, -1, 2]);
  });

  it("re-shapes the server's error mapping into OpenAI's error body", () => {
    expect(
      toOpenAiError({ status: 429, body: { error: { code: 'RATE_LIMITED', message: 'slow down' } } }),
    ).toEqual({
      error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null },
    });
    expect(
      toOpenAiError({
        status: 400,
        body: { error: { code: 'INVALID_REQUEST', message: 'bad', field: 'messages' } },
      }).error,
    ).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', param: 'messages' });
    expect(toOpenAiError({ status: 503, body: { error: { code: 'X', message: 'down' } } }).error.type).toBe(
      'api_error',
    );
  });
});
