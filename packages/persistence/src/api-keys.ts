import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts with this, so a leaked key is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'ask_';
/** How many leading characters of the plaintext are stored in clear, for display and lookup. */
export const API_KEY_DISPLAY_PREFIX_LENGTH = 12;

export interface GeneratedApiKey {
  /** Shown to the user once; never stored. */
  readonly plaintext: string;
  /** The first characters (`ask_` + 8), stored to show "ask_1a2b3c4d…" in a key list. */
  readonly prefix: string;
  /** Lowercase hex SHA-256 of the plaintext: what is stored and looked up. */
  readonly hash: string;
}

/**
 * SHA-256 of an API key, as lowercase hex. A plain (unsalted) hash is enough here because keys are
 * 256-bit random strings, not passwords: there is nothing to brute-force, and an unsalted hash
 * lets a request find its key with one indexed lookup.
 */
export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** A new random API key (`ask_` + 43 base64url characters, 256 bits), its display prefix and hash. */
export function generateApiKey(): GeneratedApiKey {
  const plaintext = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return {
    plaintext,
    prefix: plaintext.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH),
    hash: hashApiKey(plaintext),
  };
}

/** Whether `plaintext` hashes to `hash`, compared in constant time. */
export function apiKeyMatches(plaintext: string, hash: string): boolean {
  const actual = Buffer.from(hashApiKey(plaintext), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
