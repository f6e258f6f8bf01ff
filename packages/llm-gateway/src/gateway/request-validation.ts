import { InvalidLlmRequestError } from '../errors/invalid-llm-request.error';
import type { GatewayChatRequest } from '../ports/llm-gateway';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Every problem of a request at once, as one `InvalidLlmRequestError`, before anything is spent. */
export function validateRequest(request: GatewayChatRequest, knownModel: (id: string) => boolean): void {
  const problems: string[] = [];
  if (!request.tenantId) problems.push('tenantId is required');
  if (!request.requestId) problems.push('requestId is required');
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    problems.push('messages must not be empty');
  if (request.model !== undefined && !knownModel(request.model))
    problems.push(`unknown model "${request.model}"`);
  if (request.temperature !== undefined && !(request.temperature >= 0 && request.temperature <= 2)) {
    problems.push('temperature must be between 0 and 2');
  }
  if (request.maxCostUsd !== undefined && !(request.maxCostUsd >= 0))
    problems.push('maxCostUsd must be >= 0');
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
    problems.push('maxTokens must be a positive integer');
  }
  for (const tool of request.tools ?? []) {
    if (!TOOL_NAME.test(tool.name)) problems.push(`tool name "${tool.name}" must match ${TOOL_NAME.source}`);
  }
  for (const message of request.messages ?? []) {
    if (typeof message.content !== 'string') problems.push(`a ${message.role} message has no text content`);
    if (message.role === 'tool' && !message.toolCallId) problems.push('a tool message needs toolCallId');
  }
  if (problems.length > 0) {
    throw new InvalidLlmRequestError({ message: problems.join('; '), details: { problems } });
  }
}

/** Upper bound and estimate of prompt tokens without tokenizing: a BPE token is at least one UTF-8 byte. */
export function boundTokens(request: GatewayChatRequest): { upper: number; estimate: number } {
  let bytes = 0;
  let overhead = 3;
  for (const message of request.messages) {
    bytes += Buffer.byteLength(message.content);
    overhead += 4;
    if (message.role === 'assistant' && message.toolCalls) {
      for (const call of message.toolCalls)
        bytes += Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments) + 3;
    }
  }
  if (request.context && request.context.length > 0) {
    overhead += 40;
    for (const passage of request.context) {
      bytes += Buffer.byteLength(passage.text);
      overhead += 8;
    }
  }
  if (request.tools) {
    for (const tool of request.tools) bytes += Buffer.byteLength(JSON.stringify(tool)) + 8;
  }
  return { upper: bytes + overhead, estimate: Math.ceil(bytes / 4) + overhead };
}
