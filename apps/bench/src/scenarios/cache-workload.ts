/**
 * Workloads of the `cache` scenario: the labeled pairs, the intents they imply, and a Zipf-distributed
 * stream of paraphrased questions over those intents.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePairs, seededRandom, type LabeledQueryPair } from '@ai-scale/cache/testing';

export const PAIRS_PATH = resolve(__dirname, '../../../../bench/datasets/cache-pairs/pairs.jsonl');

export function loadPairs(path = PAIRS_PATH): LabeledQueryPair[] {
  return parsePairs(readFileSync(path, 'utf8'));
}

/**
 * Groups the questions of the pairs into intents: paraphrase pairs join two questions into one
 * intent (union-find); every other question is an intent of its own. Near misses therefore always
 * land in different intents, which is what the replay's false-hit count relies on.
 */
export function intentsOf(pairs: readonly LabeledQueryPair[]): string[][] {
  const parent = new Map<string, string>();
  const find = (text: string): string => {
    let root = text;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(text, root);
    return root;
  };
  // Questions that differ only in case and punctuation are one intent too ("How can I reset my
  // password?" / "how can i reset my password"), whether or not a pair says so.
  const byLoose = new Map<string, string>();
  const loose = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  for (const pair of pairs) {
    for (const text of [pair.a, pair.b]) {
      if (parent.has(text)) continue;
      parent.set(text, text);
      const twin = byLoose.get(loose(text));
      if (twin === undefined) byLoose.set(loose(text), text);
      else parent.set(find(text), find(twin));
    }
    if (pair.label === 'paraphrase') parent.set(find(pair.a), find(pair.b));
  }
  const groups = new Map<string, string[]>();
  for (const text of parent.keys()) {
    const root = find(text);
    groups.set(root, [...(groups.get(root) ?? []), text]);
  }
  return [...groups.values()];
}

const PREFIXES = ['', '', 'hi, ', 'quick question: ', 'hey, ', 'please tell me: '];
const SUFFIXES = ['', '', ' thanks', ' please', ' thank you'];

/**
 * How people actually type a question they have seen phrased before: sometimes in lower case,
 * without the question mark, with a greeting or a "thanks". Exact keys miss these; a semantic cache
 * should not.
 */
function retype(question: string, random: () => number): string {
  if (random() < 0.5) return question;
  let text = question;
  if (random() < 0.5) text = text.toLowerCase();
  if (random() < 0.5) text = text.replace(/\?$/, '');
  const prefix = PREFIXES[Math.floor(random() * PREFIXES.length)] as string;
  const suffix = SUFFIXES[Math.floor(random() * SUFFIXES.length)] as string;
  return `${prefix}${prefix === '' ? text : text.charAt(0).toLowerCase() + text.slice(1)}${suffix}`;
}

/**
 * `length` draws of intent indexes with Zipf(s) popularity, each with a uniformly chosen wording,
 * half of them retyped (see `retype`).
 */
export function zipfStream(
  intents: readonly string[][],
  length: number,
  exponent: number,
  seed: number,
): Array<{ intent: number; question: string }> {
  const random = seededRandom(seed);
  // Shuffle so popularity does not follow file order.
  const order = intents.map((_, index) => index).sort(() => random() - 0.5);
  const weights = order.map((_, rank) => 1 / (rank + 1) ** exponent);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of weights) cumulative.push((running += weight / total));
  return Array.from({ length }, () => {
    const draw = random();
    const rank = Math.min(
      cumulative.findIndex((value) => value >= draw),
      order.length - 1,
    );
    const intent = order[rank < 0 ? order.length - 1 : rank] as number;
    const wordings = intents[intent] as string[];
    return { intent, question: retype(wordings[Math.floor(random() * wordings.length)] as string, random) };
  });
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
