import * as path from 'node:path';
import { Global, Inject, Module } from '@nestjs/common';
import { FilesystemBlobStore } from '@ai-scale/documents';
import { APP_CONFIG, type AppConfig } from '../../config';

export const BLOB_STORE = Symbol('BLOB_STORE');
export const InjectBlobStore = (): PropertyDecorator & ParameterDecorator => Inject(BLOB_STORE);

/**
 * Uploaded files between the API (which receives them) and the worker (which parses them): the
 * filesystem under DATA_DIR/blobs. API and worker replicas on several machines need a shared volume
 * (or an object-store adapter of `BlobStore`, not written yet).
 */
@Global()
@Module({
  providers: [
    {
      provide: BLOB_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new FilesystemBlobStore(path.join(config.DATA_DIR, 'blobs')),
    },
  ],
  exports: [BLOB_STORE],
})
export class BlobStoreModule {}
