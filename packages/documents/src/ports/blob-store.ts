/**
 * Where uploaded files and intermediate results wait between pipeline stages, so a job carries a key
 * instead of megabytes. Keys are produced by the pipeline (tenant-prefixed); `put` overwrites.
 * Adapters: `memory` (one process) and `filesystem` (a directory shared by API and workers; on more
 * than one machine, a shared volume — an object-store adapter is the natural next one).
 */
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Resolves to null when the key does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}
