/**
 * Workloads of the `cache` scenario: the labeled pairs, the intents they imply, and a Zipf-distributed
 * stream of paraphrased questions over those intents.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePairs, type LabeledQueryPair } from '@ai-scale/cache/testing';

export { intentsOf, zipfStream } from '@ai-scale/cache/testing';

export const PAIRS_PATH = resolve(__dirname, '../../../../bench/datasets/cache-pairs/pairs.jsonl');
/** The held-out pairs (never used for tuning): the headline set. */
export const HELD_OUT_PATH = resolve(__dirname, '../../../../bench/datasets/cache-pairs/held-out.jsonl');

export function loadPairs(path = PAIRS_PATH): LabeledQueryPair[] {
  return parsePairs(readFileSync(path, 'utf8'));
}

const SUBJECTS = [
  'invoice',
  'API key',
  'webhook',
  'dashboard',
  'workspace',
  'export',
  'SSO',
  'plan',
  'report',
  'token',
];
const VERBS = [
  'create',
  'find',
  'rename',
  'share',
  'archive',
  'configure',
  'audit',
  'migrate',
  'restore',
  'schedule',
];
const CONTEXTS = [
  'for a new teammate',
  'on the mobile app',
  'from the CLI',
  'in the EU region',
  'after a trial',
  'with the REST API',
];

/** Distinct, realistic-looking filler questions to grow the semantic index to a given size. */
export function fillerQuestion(index: number): string {
  const subject = SUBJECTS[index % SUBJECTS.length] as string;
  const verb = VERBS[Math.floor(index / SUBJECTS.length) % VERBS.length] as string;
  const context = CONTEXTS[Math.floor(index / 100) % CONTEXTS.length] as string;
  return `How do I ${verb} the ${subject} ${context} (case ${index})?`;
}
