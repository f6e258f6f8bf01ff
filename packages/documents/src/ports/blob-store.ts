/**
 * Where uploaded files and intermediate results wait between pipeline stages, so a job carries a key
 * instead of megabytes. Keys are produced by the pipeline (tenant-prefixed); `put` overwrites.
 * Adapters: `memory` (one process), `filesystem` (a directory shared by API and workers: one machine
 * or a shared volume) and `s3` (any S3-compatible object store: API and workers on any machines).
 * A `put` is visible whole or not at all; `delete` of a missing key succeeds; store failures are
 * typed errors of this package (`BLOB_STORE_*`), never a vendor's.
 */
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Resolves to null when the key does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}
