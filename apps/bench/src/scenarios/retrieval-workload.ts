/** Real-text workload of the `retrieval` scenario: Cranfield abstracts cut into sentence windows. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Default BEIR folder: the development set next to the repository (override with `--dataset DIR`). */
export const DEFAULT_DATASET = resolve(__dirname, '../../../../../shared/datasets/cranfield');

export interface Workload {
  readonly documents: { id: string; text: string }[];
  readonly queries: string[];
  readonly sentences: string[];
}

export function loadWorkload(directory = DEFAULT_DATASET): Workload {
  if (!existsSync(join(directory, 'corpus.jsonl'))) {
    throw new Error(
      `no BEIR corpus at ${directory}: pass --dataset DIR (a folder with corpus.jsonl and queries.jsonl)`,
    );
  }
  const read = (file: string): Record<string, string>[] =>
    readFileSync(join(directory, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as Record<string, string>);
  const documents = read('corpus.jsonl')
    .map((row) => ({ id: String(row._id), text: [row.title, row.text].filter(Boolean).join('\n\n') }))
    .filter((document) => document.text.trim().length > 0);
  const sentences = documents.flatMap((document) =>
    document.text
      .split(/ \. |\.\s+|\n\n/)
      .map((sentence) => sentence.trim())
      .filter((sentence) => sentence.split(' ').length >= 4),
  );
  return { documents, queries: read('queries.jsonl').map((row) => String(row.text)), sentences };
}

/**
 * The i-th chunk text: a window of 1–6 consecutive sentences, then windows that skip a stride of
 * sentences, so that 100k distinct chunks come from ~10k real sentences (no random vectors: ANN
 * recall is only meaningful on embeddings of real text).
 */
export function chunkText(workload: Workload, index: number): string {
  const count = workload.sentences.length;
  const start = index % count;
  const length = 1 + (Math.floor(index / count) % 6);
  const stride = 1 + Math.floor(index / (6 * count));
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(workload.sentences[(start + i * stride) % count] as string);
  return parts.join(' . ');
}
