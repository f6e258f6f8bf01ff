import type { StoreQuery, VectorRecord } from '../ports';
import { DimensionMismatchError, InvalidRetrievalRequestError } from '../errors';
import { parseMetadataFilter } from '../filters/metadata-filter';

/** Checks shared by every store adapter, so each one enforces the port's rules identically. */
export function requireTenant(tenantId: unknown): string {
  if (typeof tenantId !== 'string' || tenantId.length === 0 || tenantId.length > 256) {
    throw new InvalidRetrievalRequestError({
      message: 'tenantId must be a non-empty string (≤ 256 characters)',
    });
  }
  return tenantId;
}

export function checkVector(vector: readonly number[], dimensions: number, what: string): void {
  if (vector.length !== dimensions) {
    throw new DimensionMismatchError({
      message: `${what} has ${vector.length} dimensions, the store expects ${dimensions}`,
      details: { expected: dimensions, actual: vector.length },
    });
  }
  for (const value of vector) {
    if (!Number.isFinite(value)) {
      throw new InvalidRetrievalRequestError({ message: `${what} contains a non-finite number` });
    }
  }
}

export function checkRecords(records: readonly VectorRecord[], dimensions: number): void {
  const seen = new Set<string>();
  for (const record of records) {
    if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > 512) {
      throw new InvalidRetrievalRequestError({
        message: 'record ids must be non-empty strings (≤ 512 characters)',
      });
    }
    if (typeof record.documentId !== 'string' || record.documentId.length === 0) {
      throw new InvalidRetrievalRequestError({ message: `record ${record.id} has no documentId` });
    }
    if (seen.has(record.id)) {
      throw new InvalidRetrievalRequestError({
        message: `record id ${record.id} appears twice in one upsert`,
      });
    }
    seen.add(record.id);
    checkVector(record.vector, dimensions, `the vector of record ${record.id}`);
  }
}

/** Validates a query (topK, vector length, filter shape) and returns it with the filter parsed. */
export function checkQuery<Q extends StoreQuery>(query: Q, dimensions: number): Q {
  if (!Number.isInteger(query.topK) || query.topK < 1 || query.topK > 10_000) {
    throw new InvalidRetrievalRequestError({
      message: `topK must be an integer in [1, 10000], got ${query.topK}`,
    });
  }
  if (query.mode === 'vector') checkVector(query.vector, dimensions, 'the query vector');
  else if (typeof query.text !== 'string') {
    throw new InvalidRetrievalRequestError({ message: 'a keyword query needs text' });
  } else if (query.terms !== undefined) {
    if (
      !Array.isArray(query.terms) ||
      !query.terms.every(
        (entry) =>
          typeof entry?.term === 'string' &&
          entry.term.length > 0 &&
          typeof entry.weight === 'number' &&
          Number.isFinite(entry.weight) &&
          entry.weight > 0,
      )
    ) {
      throw new InvalidRetrievalRequestError({
        message: 'keyword terms must be {term: non-empty string, weight: finite number > 0}',
      });
    }
  }
  return query.filter === undefined ? query : { ...query, filter: parseMetadataFilter(query.filter) };
}

export function cosine(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let i = 0; i < left.length; i++) {
    const a = left[i] as number;
    const b = right[i] as number;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}
