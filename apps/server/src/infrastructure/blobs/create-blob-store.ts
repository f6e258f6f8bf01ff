import * as path from 'node:path';
import { type BlobStore, FilesystemBlobStore, MemoryBlobStore } from '@ai-scale/documents';
import { type AppConfig } from '../../config';

export interface BlobStoreHandle {
  readonly store: BlobStore;
  close(): void;
}

/**
 * Picks the blob store (BLOB_STORE): DATA_DIR/blobs, memory (ROLE=all), or an S3 bucket shared by
 * every API and worker replica. S3 credentials are left to the AWS SDK's default chain
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, IRSA web identity, ECS or EC2 roles).
 */
export async function createBlobStore(config: AppConfig): Promise<BlobStoreHandle> {
  switch (config.BLOB_STORE) {
    case 'memory':
      return { store: new MemoryBlobStore(), close: () => undefined };
    case 'filesystem':
      return { store: new FilesystemBlobStore(path.join(config.DATA_DIR, 'blobs')), close: () => undefined };
    case 's3': {
      const { S3BlobStore } = await import('@ai-scale/documents/s3');
      const store = new S3BlobStore({
        bucket: config.S3_BUCKET ?? '',
        keyPrefix: config.S3_KEY_PREFIX,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
        ...(config.S3_REGION ? { region: config.S3_REGION } : {}),
      });
      return { store, close: () => store.close() };
    }
  }
}
