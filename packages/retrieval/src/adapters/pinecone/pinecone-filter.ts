import type { MetadataFilter } from '../../ports';
import { InvalidFilterError } from '../../errors';

/** Metadata keys the adapter itself writes; user metadata may not use the prefix. */
export const SYSTEM_PREFIX = '__ais_';
export const SYSTEM_KEYS = {
  documentId: `${SYSTEM_PREFIX}document_id`,
  ordinal: `${SYSTEM_PREFIX}ordinal`,
  contentHash: `${SYSTEM_PREFIX}content_hash`,
  text: `${SYSTEM_PREFIX}text`,
} as const;

/**
 * Translates a filter into Pinecone's filter language ({ field: { $eq } }, $in, $gt…, $and, $or).
 * Values travel as JSON data, never as query text. Pinecone's range operators compare numbers
 * only, so a string range is refused with `InvalidFilterError` rather than silently ignored.
 */
export function toPineconeFilter(filter: MetadataFilter): Record<string, unknown> {
  if ('and' in filter) return { $and: filter.and.map(toPineconeFilter) };
  if ('or' in filter) return { $or: filter.or.map(toPineconeFilter) };
  if (filter.field.startsWith(SYSTEM_PREFIX)) {
    throw new InvalidFilterError({ message: `metadata fields starting with ${SYSTEM_PREFIX} are reserved` });
  }
  const key = filter.field === 'documentId' ? SYSTEM_KEYS.documentId : filter.field;
  switch (filter.op) {
    case 'eq':
      return { [key]: { $eq: filter.value } };
    case 'in':
      return { [key]: { $in: [...filter.values] } };
    case 'range': {
      const condition: Record<string, number> = {};
      const bounds = { $gt: filter.gt, $gte: filter.gte, $lt: filter.lt, $lte: filter.lte };
      for (const [operator, bound] of Object.entries(bounds)) {
        if (bound === undefined) continue;
        if (typeof bound !== 'number') {
          throw new InvalidFilterError({ message: 'Pinecone compares ranges of numbers only' });
        }
        condition[operator] = bound;
      }
      return { [key]: condition };
    }
  }
}
