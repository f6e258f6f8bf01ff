import { generateApiKey as generate, hashApiKey as hash } from '@ai-scale/persistence';

/** A new random API key (plain text: shown once, then only its hash is kept). */
export function generateApiKey(): string {
  return generate().plaintext;
}

export function hashApiKey(apiKey: string): string {
  return hash(apiKey);
}

export function apiKeyPrefix(apiKey: string): string {
  return apiKey.slice(0, 12);
}
