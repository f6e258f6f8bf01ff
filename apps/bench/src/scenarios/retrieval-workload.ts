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
  // Unique sentences: Cranfield's abstracts repeat their title as their first sentence.
  const sentences = [
    ...new Set(
      documents.flatMap((document) =>
        document.text
          .split(/ \. |\.\s+|\n\n/)
          .map((sentence) => sentence.trim())
          .filter((sentence) => sentence.split(' ').length >= 4),
      ),
    ),
  ];
  return { documents, queries: read('queries.jsonl').map((row) => String(row.text)), sentences };
}

/**
 * The i-th chunk text: windows of consecutive sentences (1–6 of them), then windows of 2–6 sentences
 * taken every `stride` sentences (stride 2, 3, …), so that 100k distinct chunks come from ~10k real
 * sentences (no random vectors: ANN recall is only meaningful on embeddings of real text). A window
 * of ONE sentence is the same text whatever its stride, so strided windows start at two sentences
 * (before, chunks 6·count… repeated chunks 0…count).
 */
export function chunkText(workload: Workload, index: number): string {
  const count = workload.sentences.length;
  const start = index % count;
  const block = Math.floor(index / count);
  const stride = block < 6 ? 1 : 2 + Math.floor((block - 6) / 5);
  const length = block < 6 ? block + 1 : 2 + ((block - 6) % 5);
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(workload.sentences[(start + i * stride) % count] as string);
  return parts.join(' . ');
}

/** How many of the first `size` chunk texts repeat an earlier one (the scenario requires 0). */
export function duplicateChunks(workload: Workload, size: number): number {
  const seen = new Set<string>();
  for (let index = 0; index < size; index++) seen.add(chunkText(workload, index));
  return size - seen.size;
}
