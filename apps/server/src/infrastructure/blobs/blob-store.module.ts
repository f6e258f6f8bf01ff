import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { createBlobStore, type BlobStoreHandle } from './create-blob-store';

export const BLOB_STORE = Symbol('BLOB_STORE');
export const InjectBlobStore = (): PropertyDecorator & ParameterDecorator => Inject(BLOB_STORE);
const BLOB_STORE_HANDLE = Symbol('BLOB_STORE_HANDLE');

/**
 * Uploaded files between the API (which receives them) and the worker (which parses them), chosen
 * by BLOB_STORE: `filesystem` under DATA_DIR/blobs (one machine, or a volume shared by API and
 * workers), `memory` (ROLE=all), or `s3` (a bucket every replica reaches: no shared disk).
 */
@Global()
@Module({
  providers: [
    {
      provide: BLOB_STORE_HANDLE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createBlobStore(config),
    },
    {
      provide: BLOB_STORE,
      inject: [BLOB_STORE_HANDLE],
      useFactory: (handle: BlobStoreHandle) => handle.store,
    },
  ],
  exports: [BLOB_STORE],
})
export class BlobStoreModule implements OnApplicationShutdown {
  constructor(@Inject(BLOB_STORE_HANDLE) private readonly handle: BlobStoreHandle) {}

  onApplicationShutdown(): void {
    this.handle.close();
  }
}
