import { createHash } from 'node:crypto';
import { InvalidCacheKeyError } from '../errors/invalid-cache-key.error';
import { InvalidCacheRequestError } from '../errors/invalid-cache-request.error';
import type { JsonValue } from '../ports/json';
import type { CacheableMessage, CacheableRequest, UncacheableReason } from '../ports/response-cache';
import { canonicalJson } from './canonical-json';
import { normalizeContent } from './normalize';

/** Bumped whenever the canonical form changes, so old entries are simply never addressed again. */
const KEY_VERSION = 'v1';
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function assertNonEmpty(field: string, value: unknown, maxLength = 256): asserts value is string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > maxLength) {
    throw new InvalidCacheRequestError(
      field,
      `must be a non-empty string of at most ${maxLength} characters`,
    );
  }
}

function optionalNumber(field: string, value: number | undefined, check: (value: number) => boolean): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || !check(value))) {
    throw new InvalidCacheRequestError(field, `is out of range (${String(value)})`);
  }
}

/** Checks a request's shape; throws `InvalidCacheRequestError` (or `InvalidCacheKeyError` for the tenant). */
export function validateCacheableRequest(request: CacheableRequest): void {
  if (typeof request !== 'object' || request === null)
    throw new InvalidCacheRequestError('request', 'must be an object');
  if (
    typeof request.tenantId !== 'string' ||
    request.tenantId.length === 0 ||
    request.tenantId.length > 256
  ) {
    throw new InvalidCacheKeyError('tenantId', 'must be a non-empty string of at most 256 characters');
  }
  assertNonEmpty('modelRoute', request.modelRoute);
  assertNonEmpty('promptVersion', request.promptVersion, 128);
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    throw new InvalidCacheRequestError('messages', 'must be a non-empty array');
  }
  request.messages.forEach((message, index) => {
    if (typeof message !== 'object' || message === null || !ROLES.has(message.role)) {
      throw new InvalidCacheRequestError(
        `messages[${index}].role`,
        'must be system, user, assistant or tool',
      );
    }
    if (message.content === undefined)
      throw new InvalidCacheRequestError(`messages[${index}].content`, 'is missing');
  });
  optionalNumber('temperature', request.temperature, (value) => value >= 0);
  optionalNumber('topP', request.topP, (value) => value >= 0 && value <= 1);
  optionalNumber('maxTokens', request.maxTokens, (value) => Number.isInteger(value) && value > 0);
  optionalNumber('seed', request.seed, Number.isInteger);
}

function canonicalMessage(message: CacheableMessage): JsonValue {
  return {
    role: message.role,
    content: normalizeContent(message.content),
    ...(message.name === undefined ? {} : { name: message.name }),
    ...(message.toolCallId === undefined ? {} : { toolCallId: message.toolCallId }),
    ...(message.toolCalls === undefined ? {} : { toolCalls: message.toolCalls }),
  };
}

/** Every output-changing parameter; an unset one is absent (and differs from any set value). */
function canonicalParameters(request: CacheableRequest): JsonValue {
  const parameters: Record<string, JsonValue> = {};
  const add = (name: string, value: JsonValue | undefined): void => {
    if (value !== undefined) parameters[name] = value;
  };
  add('temperature', request.temperature);
  add('topP', request.topP);
  add('maxTokens', request.maxTokens);
  add('seed', request.seed);
  add('stop', request.stop === undefined ? undefined : [...request.stop]);
  add('tools', request.tools);
  add('toolChoice', request.toolChoice);
  add('responseFormat', request.responseFormat);
  add('extra', request.extraParameters === undefined ? undefined : { ...request.extraParameters });
  return parameters;
}

/**
 * The exact key of a request: `v1:` + SHA-256 (base64url) of the canonical JSON of tenant, model route,
 * prompt version, normalised messages (role, content, name, tool calls) and every output-changing
 * parameter (temperature, top-p, max tokens, seed, stop, tools, tool choice, response format, extra
 * parameters). `cachePolicy` is not part of it. Stable across processes and Node versions.
 */
export function buildResponseCacheKey(request: CacheableRequest): string {
  validateCacheableRequest(request);
  const canonical = canonicalJson({
    tenantId: request.tenantId,
    modelRoute: request.modelRoute,
    promptVersion: request.promptVersion,
    messages: request.messages.map(canonicalMessage),
    parameters: canonicalParameters(request),
  });
  return `${KEY_VERSION}:${sha256(canonical)}`;
}

/**
 * The semantic side of a request: the question (the last message, when it is user text) and the
 * partition: a hash of everything else that must match for two questions to share an answer
 * (model route, prompt version, earlier messages, parameters). `null` when there is no question.
 */
export function semanticParts(request: CacheableRequest): { partition: string; question: string } | null {
  const last = request.messages[request.messages.length - 1];
  if (last === undefined || last.role !== 'user' || typeof last.content !== 'string') return null;
  const question = last.content.trim();
  if (question.length === 0) return null;
  const partition = sha256(
    canonicalJson({
      modelRoute: request.modelRoute,
      promptVersion: request.promptVersion,
      context: request.messages.slice(0, -1).map(canonicalMessage),
      parameters: canonicalParameters(request),
    }),
  ).slice(0, 32);
  return { partition, question };
}

/**
 * Whether a request may be looked up and stored, and if not why. Sampled requests (temperature > 0,
 * or unset, which providers treat as about 1) are not cacheable unless the policy allows them.
 */
export function cacheability(
  request: CacheableRequest,
): { cacheable: true } | { cacheable: false; reason: UncacheableReason } {
  if (request.cachePolicy?.bypass === true) return { cacheable: false, reason: 'bypass' };
  const sampled = request.temperature === undefined || request.temperature > 0;
  if (sampled && request.cachePolicy?.allowNonZeroTemperature !== true) {
    return { cacheable: false, reason: 'non-zero-temperature' };
  }
  return { cacheable: true };
}
