// s3rver ships no types: the few members the testkit uses.
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverObject {
    readonly key: string;
  }
  interface S3rverListing {
    objects: S3rverObject[];
    commonPrefixes: string[];
    isTruncated: boolean;
  }
  interface S3rverListOptions {
    readonly delimiter?: string;
    readonly startAfter?: string;
    readonly prefix?: string;
    readonly maxKeys?: number;
  }
  interface S3rverStore {
    listObjects(bucket: string, options: S3rverListOptions): Promise<S3rverListing>;
    putBucket(bucket: string): Promise<unknown>;
    existsObject(bucket: string, key: string): Promise<boolean>;
    putObject(object: S3rverNewObject): Promise<{ size: number; md5: string }>;
    putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
    getResourcePath(bucket: string, key: string, resource: string): string;
  }
  interface S3rverNewObject {
    readonly bucket: string;
    readonly key: string;
    readonly content: Buffer | NodeJS.ReadableStream;
    readonly metadata: unknown;
  }
  interface S3rverContext {
    readonly method: string;
    readonly path: string;
    get(header: string): string;
    status: number;
    type: string;
    body: unknown;
  }
  type S3rverMiddleware = (context: S3rverContext, next: () => Promise<void>) => Promise<void>;
  interface S3rverOptions {
    readonly address?: string;
    readonly port?: number;
    readonly silent?: boolean;
    readonly directory?: string;
    readonly resetOnClose?: boolean;
    readonly configureBuckets?: ReadonlyArray<{ readonly name: string }>;
  }
  class S3rver {
    constructor(options: S3rverOptions);
    readonly store: S3rverStore;
    /** The listening server, once `run()` resolved. */
    readonly httpServer?: Server;
    /** Koa's middleware list, composed when the server starts listening. */
    readonly middleware: S3rverMiddleware[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export = S3rver;
}
