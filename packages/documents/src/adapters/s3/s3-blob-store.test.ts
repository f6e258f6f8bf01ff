import { S3BlobStore } from './index';

/** Key validation happens before any request: no S3 server is needed (the endpoint is never called). */
describe('S3BlobStore keys', () => {
  const store = new S3BlobStore({
    bucket: 'blobs-keys',
    keyPrefix: 'blobs/',
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
  afterAll(() => store.close());

  it('refuses a key that could leave its prefix, before any request (security review)', async () => {
    for (const key of [
      '../outside',
      't/../../outside',
      './t',
      't/./d',
      '/absolute',
      't\\..\\x',
      't/d\u0000',
      't/\nd',
    ]) {
      await expect(store.put(key, new Uint8Array([1]))).rejects.toThrow(/escapes the store/);
      await expect(store.get(key)).rejects.toThrow(/escapes the store/);
      await expect(store.delete(key)).rejects.toThrow(/escapes the store/);
    }
  });
});
