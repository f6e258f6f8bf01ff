import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  BlobStoreAccessDeniedError,
  BlobStoreBucketMissingError,
  BlobStoreUnavailableError,
  type BlobStore,
  type DocumentError,
} from '../../index';

export interface S3BlobStoreOptions {
  readonly bucket: string;
  /** Prepended to every key (e.g. `blobs/`), so one bucket can hold other things too. */
  readonly keyPrefix?: string;
  /** An S3-compatible endpoint (MinIO, R2, GCS interop, a test server); unset: AWS S3 of `region`. */
  readonly endpoint?: string;
  /** Unset: the SDK's chain (AWS_REGION, ~/.aws/config). Most S3-compatible servers want `us-east-1`. */
  readonly region?: string;
  /** Path-style URLs (`endpoint/bucket/key`) instead of virtual hosts: MinIO and most self-hosted servers. */
  readonly forcePathStyle?: boolean;
  /**
   * Unset (the production default): the SDK's default credential chain — AWS_ACCESS_KEY_ID /
   * AWS_SECRET_ACCESS_KEY, a profile, web identity (IRSA), ECS or EC2 instance roles.
   */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** From this size on, `put` is a multipart upload (default 16 MiB). */
  readonly multipartThresholdBytes?: number;
  /** Part size of a multipart upload (default 8 MiB; S3's minimum is 5 MiB). */
  readonly partSizeBytes?: number;
  /** Attempts per request, retries with the SDK's backoff included (default 3). */
  readonly maxAttempts?: number;
  /** Milliseconds to open a connection (default 3,000) and to wait for a response (default 30,000). */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

const MIB = 2 ** 20;

/** Backslashes and control characters: never part of a key the pipeline builds. */
// eslint-disable-next-line no-control-regex
const UNSAFE_KEY_CHARACTERS = /[\\\u0000-\u001f\u007f]/;

/**
 * Blobs as objects of one S3 bucket (AWS S3, MinIO, R2, GCS interop), so API and worker replicas
 * on different machines share them without a shared disk. `put` is one PutObject (a multipart upload
 * through `@aws-sdk/lib-storage` for large files), which S3 makes visible atomically: a reader sees
 * the whole old or the whole new object, never half of one. Failures are typed: a missing object is
 * `null` from `get` (the port's contract); a missing bucket, refused credentials and an unreachable
 * or failing server are `BlobStoreBucketMissingError`, `BlobStoreAccessDeniedError` and
 * `BlobStoreUnavailableError` (the only retryable one).
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(options: S3BlobStoreOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket))
      throw new TypeError(`"${options.bucket}" is not a valid S3 bucket name`);
    this.bucket = options.bucket;
    this.keyPrefix = options.keyPrefix ?? '';
    this.partSize = Math.max(5 * MIB, options.partSizeBytes ?? 8 * MIB);
    this.multipartThreshold = Math.max(this.partSize, options.multipartThresholdBytes ?? 16 * MIB);
    this.client = new S3Client({
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      forcePathStyle: options.forcePathStyle ?? false,
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 3_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
      },
    });
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const target = { Bucket: this.bucket, Key: this.objectKey(key) };
    await this.call('put', async () => {
      if (bytes.byteLength < this.multipartThreshold) {
        await this.client.send(
          new PutObjectCommand({ ...target, Body: bytes, ContentLength: bytes.byteLength }),
        );
        return;
      }
      // lib-storage splits the body into parts, uploads up to 4 at once and aborts the upload
      // (no orphaned parts) when one fails for good.
      await new Upload({
        client: this.client,
        params: { ...target, Body: bytes },
        partSize: this.partSize,
        queueSize: 4,
      }).done();
    });
  }

  async get(key: string): Promise<Uint8Array | null> {
    const target = { Bucket: this.bucket, Key: this.objectKey(key) };
    return this.call('get', async () => {
      try {
        const response = await this.client.send(new GetObjectCommand(target));
        if (!response.Body) return new Uint8Array(0);
        return await response.Body.transformToByteArray();
      } catch (error) {
        if (error instanceof S3ServiceException && error.name === 'NoSuchKey') return null;
        throw error;
      }
    });
  }

  async delete(key: string): Promise<void> {
    const target = { Bucket: this.bucket, Key: this.objectKey(key) };
    // S3 answers 204 for a key that does not exist: deleting twice is fine.
    await this.call('delete', () => this.client.send(new DeleteObjectCommand(target)));
  }

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy();
  }

  /**
   * The object key: `keyPrefix` + key. A key that could leave the prefix once a proxy, a gateway or
   * a sync tool normalizes paths (`.`/`..` segments, a leading `/`, backslashes, control characters)
   * is refused, as the filesystem store refuses one that leaves its directory.
   */
  private objectKey(key: string): string {
    if (key.length === 0) throw new TypeError('blob key must not be empty');
    if (
      key.startsWith('/') ||
      UNSAFE_KEY_CHARACTERS.test(key) ||
      key.split('/').some((part) => part === '.' || part === '..')
    )
      throw new TypeError(`blob key escapes the store: ${JSON.stringify(key)}`);
    return this.keyPrefix + key;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.translate(operation, error);
    }
  }

  private translate(operation: string, error: unknown): DocumentError {
    if (error instanceof S3ServiceException) {
      const status = error.$metadata.httpStatusCode;
      if (error.name === 'NoSuchBucket') return new BlobStoreBucketMissingError(this.bucket, error);
      if (
        status === 403 ||
        ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken'].includes(error.name)
      )
        return new BlobStoreAccessDeniedError(this.bucket, operation, error.name, error);
      return new BlobStoreUnavailableError(operation, `${error.name} (HTTP ${status ?? '?'})`, error);
    }
    return new BlobStoreUnavailableError(operation, networkReason(error), error);
  }
}

/**
 * A short reason for a failure below HTTP: the system error code (`ECONNREFUSED`, `ETIMEDOUT`…) when
 * there is one. The SDK wraps errors from another realm (jest's sandbox) in a plain Error whose
 * message still carries the code.
 */
function networkReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const message = error instanceof Error ? error.message : String(error);
  const fromMessage = /\b(E[A-Z]{3,}|TimeoutError)\b/.exec(message)?.[1];
  if (fromMessage) return fromMessage;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && name !== 'Error' ? name : message.slice(0, 200);
}
