import type { JsonValue } from '../ports/json';

/**
 * Normalises message text for the exact key without changing its meaning: Unicode NFC, line endings,
 * runs of spaces and tabs, trailing spaces on lines, leading and trailing blank space. Case and
 * punctuation are kept: they can change an answer ("US" vs "us", code, JSON).
 */
export function normalizeMessageText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** Normalises the text inside structured content (`{type:'text', text}` parts); other JSON is kept. */
export function normalizeContent(content: JsonValue): JsonValue {
  if (typeof content === 'string') return normalizeMessageText(content);
  if (Array.isArray(content)) return content.map((part) => normalizeContent(part));
  if (content !== null && typeof content === 'object') {
    return Object.fromEntries(
      Object.entries(content).map(([key, value]) => [
        key,
        key === 'text' && typeof value === 'string' ? normalizeMessageText(value) : value,
      ]),
    );
  }
  return content;
}

/**
 * Normalises a question for embedding: the exact normalisation, then lower case, typographic quotes
 * and dashes folded, and punctuation that carries no meaning dropped (a trailing `?`, `!`).
 */
export function normalizeQuery(text: string): string {
  return normalizeMessageText(text.normalize('NFKC'))
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[?!]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
