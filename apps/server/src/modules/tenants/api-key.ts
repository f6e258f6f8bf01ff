import { createHash, randomBytes } from 'node:crypto';

// TODO(persistence): use generateApiKey/hashApiKey from @ai-scale/persistence once published.
/** `ais_<40 random base62-ish chars>`; the first 12 characters are kept as a display prefix. */
export function generateApiKey(): string {
  return `ais_${randomBytes(30).toString('base64url')}`;
}

/** SHA-256 of the key: keys are long random strings, so a fast hash is enough (no dictionary to guess from). */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

export function apiKeyPrefix(apiKey: string): string {
  return apiKey.slice(0, 12);
}
