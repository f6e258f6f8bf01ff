import type { Tiktoken } from 'js-tiktoken' with { 'resolution-mode': 'import' };

// js-tiktoken ships CommonJS under `require`, but its types are ESM-only: load the CJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getEncoding } = require('js-tiktoken') as { getEncoding(name: 'cl100k_base'): Tiktoken };

/** Counts tokens the way OpenAI-style embedding models do (`cl100k_base`), offline. */
export interface TokenCounter {
  count(text: string): number;
}

let shared: Tiktoken | undefined;

/** The `cl100k_base` encoding of js-tiktoken, loaded once per process (its ranks ship with the package). */
export function tiktokenCounter(): TokenCounter {
  shared ??= getEncoding('cl100k_base');
  const encoding = shared;
  return { count: (text) => encoding.encode(text).length };
}
