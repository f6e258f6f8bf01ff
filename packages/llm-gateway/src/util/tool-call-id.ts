import { createHash } from 'node:crypto';

/**
 * Tool-call ids as every provider accepts them. A conversation that falls back from one provider to
 * another carries the first one's ids into the second: Anthropic refuses a `tool_use.id` outside
 * `^[a-zA-Z0-9_-]+$` (ids like `functions.lookup:0` from some OpenAI-compatible servers), OpenAI
 * refuses ids over 40 characters (vLLM's `chatcmpl-tool-<32 hex>` is 46). An id already in the
 * common form passes unchanged; any other becomes `call_` + 32 hex of its SHA-256 — deterministic,
 * so an assistant turn's call and the tool result that answers it still share one id.
 */
const PORTABLE = /^[A-Za-z0-9_-]{1,40}$/;

export function portableToolCallId(id: string): string {
  if (PORTABLE.test(id)) return id;
  return `call_${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}
