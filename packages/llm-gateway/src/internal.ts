/**
 * Helpers shared by the subpath adapters (openai-compatible, anthropic, typeorm). Adapters import
 * the package through this one module and `./index`, never each other.
 */
export * from './index';
export { abortError, sleep } from './util/abort';
export { errorFromStatus, parseRetryAfterMs } from './util/http-errors';
export { parseServerSentEvents } from './util/sse';
export { forcedTool, splitForStreaming } from './util/forced-tool';
