import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, uniqueBucketName, type S3TestServer } from '@ai-scale/testkit';
import {
  BlobStoreAccessDeniedError,
  BlobStoreBucketMissingError,
  BlobStoreUnavailableError,
  DocumentError,
} from '../../index';
import { blobStoreContract } from '../../testing';
import { S3BlobStore } from './index';

const MIB = 2 ** 20;

describe('S3BlobStore (official @aws-sdk/client-s3 against s3rver on loopback)', () => {
  let server: S3TestServer;
  const stores: S3BlobStore[] = [];
  const open = (overrides: Partial<ConstructorParameters<typeof S3BlobStore>[0]> = {}): S3BlobStore => {
    const store = new S3BlobStore({ ...server.clientConfig(), bucket: 'blobs-contract', ...overrides });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startS3Server({ buckets: ['blobs-contract'] });
  });
  afterAll(async () => {
    for (const store of stores) store.close();
    await server.stop();
  });

  describe('contract', () => {
    // A fresh key prefix per case is a fresh namespace; 6 MiB over a 5 MiB threshold goes multipart.
    let run = 0;
    blobStoreContract(
      { describe, it },
      () =>
        open({ keyPrefix: `case-${(run += 1)}/`, multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB }),
      { largeBlobBytes: 6 * MIB + 123 },
    );
  });

  it('creates buckets through the SDK too (the server speaks the protocol, not a mock of it)', async () => {
    const client = new S3Client(server.clientConfig());
    const bucket = uniqueBucketName('sdk-made');
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    const store = open({ bucket });
    await store.put('a', new Uint8Array([1]));
    expect(await store.get('a')).toEqual(new Uint8Array([1]));
  });

  it('a wrong bucket is BLOB_STORE_BUCKET_MISSING on put, get and delete, not retried', async () => {
    const store = open({ bucket: uniqueBucketName('nowhere') });
    for (const attempt of [
      () => store.put('k', new Uint8Array([1])),
      () => store.get('k'),
      () => store.delete('k'),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(BlobStoreBucketMissingError);
      expect(error).toMatchObject({
        code: 'BLOB_STORE_BUCKET_MISSING',
        category: 'SYSTEM',
        isRetryable: false,
      });
      expect(DocumentError.isInstance(error)).toBe(true);
    }
  });

  it('an unknown access key is BLOB_STORE_ACCESS_DENIED, not retried', async () => {
    const store = open({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' } });
    await expect(store.put('k', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'BLOB_STORE_ACCESS_DENIED',
      isRetryable: false,
      details: { reason: 'InvalidAccessKeyId' },
    });
    await expect(store.get('k')).rejects.toBeInstanceOf(BlobStoreAccessDeniedError);
  });

  it('a server that is down is BLOB_STORE_UNAVAILABLE and retryable', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe: Server = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const store = open({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    const error = await store.get('k').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BlobStoreUnavailableError);
    expect(error).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE', isRetryable: true });
    expect((error as BlobStoreUnavailableError).details.reason).toBe('ECONNREFUSED');
  });

  it('a server stopped mid-life turns the same store from working to BLOB_STORE_UNAVAILABLE', async () => {
    const own = await startS3Server({ buckets: ['stopping'] });
    const store = new S3BlobStore({ ...own.clientConfig(), bucket: 'stopping', maxAttempts: 1 });
    try {
      await store.put('k', new Uint8Array([5]));
      expect(await store.get('k')).toEqual(new Uint8Array([5]));
      await own.stop();
      await expect(store.put('k', new Uint8Array([6]))).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    } finally {
      store.close();
      await own.stop();
    }
  });

  // s3rver checks the access key but not SigV4 signatures, so a wrong secret and a refusing policy
  // are replayed from S3's recorded answers, still parsed by the official client.
  describe('recorded S3 refusals', () => {
    let fake: Server;
    let endpoint = '';
    let answer = { status: 403, fixture: 'signature-does-not-match.xml' };
    let requests = 0;
    beforeAll(async () => {
      fake = createHttpServer((request, response) => {
        requests += 1;
        request.resume();
        const body = readFileSync(join(__dirname, '__fixtures__', answer.fixture));
        response.writeHead(answer.status, {
          'content-type': 'application/xml',
          'content-length': body.length,
        });
        response.end(body);
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

    it.each([
      ['a wrong secret', 'signature-does-not-match.xml', 'SignatureDoesNotMatch'],
      ['a policy that refuses', 'access-denied.xml', 'AccessDenied'],
    ])('%s is BLOB_STORE_ACCESS_DENIED', async (_label, fixture, reason) => {
      answer = { status: 403, fixture };
      const store = open({ endpoint, bucket: 'blobs' });
      await expect(store.put('k', new Uint8Array([1]))).rejects.toMatchObject({
        code: 'BLOB_STORE_ACCESS_DENIED',
        isRetryable: false,
        details: { reason },
      });
    });

    it('throttling (503 SlowDown) is retried by the SDK, then BLOB_STORE_UNAVAILABLE and retryable', async () => {
      answer = { status: 503, fixture: 'slow-down.xml' };
      requests = 0;
      const store = open({ endpoint, bucket: 'blobs', maxAttempts: 2 });
      await expect(store.get('k')).rejects.toMatchObject({
        code: 'BLOB_STORE_UNAVAILABLE',
        isRetryable: true,
      });
      expect(requests).toBe(2);
    });
  });

  it('refuses an invalid bucket name at construction', () => {
    expect(() => new S3BlobStore({ bucket: 'No_Such' })).toThrow(/not a valid S3 bucket name/);
  });
});
