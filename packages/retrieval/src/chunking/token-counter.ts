import type { Tiktoken } from 'js-tiktoken' with { 'resolution-mode': 'import' };

// js-tiktoken ships CommonJS under `require`, but its types are ESM-only: load the CJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getEncoding } = require('js-tiktoken') as { getEncoding(name: 'cl100k_base'): Tiktoken };

/** Counts tokens the way OpenAI-style embedding models do (`cl100k_base`), offline. */
export interface TokenCounter {
  count(text: string): number;
}

/**
 * cl100k_base's pre-tokenizer. BPE never merges across these pieces, so a text's token count is
 * the sum of its pieces' counts: that is what lets us memoize per piece.
 */
const PRE_TOKENIZER =
  /'s|'t|'re|'ve|'m|'ll|'d|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/giu;
const MAX_CACHED_PIECES = 200_000;

let shared: TokenCounter | undefined;

/**
 * The `cl100k_base` encoding of js-tiktoken with a per-piece memo: js-tiktoken's BPE runs in
 * JavaScript at ~90k tokens/s here, which made chunking the bottleneck of ingestion; words repeat,
 * so memoizing the count of each pre-tokenized piece gives the same counts an order of magnitude
 * faster. Text that looks like a special token (`<|endoftext|>`) is counted as plain text.
 */
export function tiktokenCounter(): TokenCounter {
  if (shared) return shared;
  const encoding = getEncoding('cl100k_base');
  const cache = new Map<string, number>();
  shared = {
    count(text: string): number {
      let total = 0;
      for (const match of text.matchAll(PRE_TOKENIZER)) {
        const piece = match[0];
        let tokens = cache.get(piece);
        if (tokens === undefined) {
          tokens = encoding.encode(piece, [], []).length;
          if (cache.size >= MAX_CACHED_PIECES) cache.clear();
          cache.set(piece, tokens);
        }
        total += tokens;
      }
      return total;
    },
  };
  return shared;
}
