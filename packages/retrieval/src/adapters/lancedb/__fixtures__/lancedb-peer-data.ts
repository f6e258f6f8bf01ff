import { createHash } from 'node:crypto';
import type { VectorRecord } from '../../../ports';

export const PEER_TENANT = 'tenant-shared';
export const PEER_DIMENSIONS = 16;
export const PEER_DOCUMENTS = ['d0', 'd1', 'd2'];

/** A deterministic record for an id: the same in every process. */
export function peerRecord(id: string): VectorRecord {
  const digest = createHash('sha256').update(id).digest();
  const vector = Array.from({ length: PEER_DIMENSIONS }, (_, index) => (digest[index] ?? 0) / 255 - 0.5);
  const document = PEER_DOCUMENTS[(digest[31] ?? 0) % PEER_DOCUMENTS.length] ?? 'd0';
  return {
    id,
    documentId: document,
    ordinal: 0,
    contentHash: `h-${id}`,
    text: `chunk ${id}`,
    vector,
    metadata: {},
  };
}
