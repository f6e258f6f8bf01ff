import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  createThrowawayPostgresDatabase,
  deleteRedisKeys,
  describeWithRedisAndPostgres,
  redisUrl,
  startS3Server,
  type S3TestServer,
  type ThrowawayDatabase,
  uniqueBucketName,
  uniqueName,
  waitFor,
} from '@ai-scale/testkit';
import { type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-stateless-tests';

/** Every file and directory under `root`, relative, sorted. */
function listTree(root: string): string[] {
  const entries: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      entries.push(path.relative(root, full) + (entry.isDirectory() ? '/' : ''));
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return entries.sort();
}

/**
 * The production configuration keeps no state on its own disk: blobs in S3 (BLOB_STORE=s3), the
 * LanceDB index on the same object store (LANCEDB_URI=s3://…), queue and caches in Redis, rows in
 * PostgreSQL. Started that way on an EMPTY DATA_DIR, an upload, its ingestion and a search leave
 * DATA_DIR as empty as it was — and the bucket holds the blob and the index.
 */
describeWithRedisAndPostgres('production configuration writes nothing under DATA_DIR', () => {
  let s3: S3TestServer;
  let database: ThrowawayDatabase;
  let server: ServerUnderTest;
  let dataDir: string;
  let bucket: string;
  let queuePrefix: string;
  let cachePrefix: string;
  const savedEnvironment: Record<string, string | undefined> = {};

  beforeAll(async () => {
    bucket = uniqueBucketName('stateless');
    [s3, database] = await Promise.all([
      startS3Server({ buckets: [bucket] }),
      createThrowawayPostgresDatabase('stateless'),
    ]);
    const environment = s3.serverEnv(bucket, 'lancedb');
    // The AWS SDK and LanceDB take credentials from the process environment (their default chains),
    // exactly as a deployed process does: nothing passes them through the app's config.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const) {
      savedEnvironment[name] = process.env[name];
      process.env[name] = environment[name];
    }
    dataDir = mkdtempSync(path.join(tmpdir(), 'ai-scale-stateless-'));
    queuePrefix = uniqueName('stateless-q');
    cachePrefix = uniqueName('stateless-c');
    server = await startServer({
      ...environment,
      ADMIN_TOKEN,
      QUEUE_DRIVER: 'bullmq',
      CACHE_DRIVER: 'redis',
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: queuePrefix,
      CACHE_PREFIX: cachePrefix,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    for (const [name, value] of Object.entries(savedEnvironment)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([
      s3?.stop(),
      database?.drop(),
      deleteRedisKeys(`${cachePrefix}*`),
      deleteRedisKeys(`*${queuePrefix}*`),
    ]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('runs with BLOB_STORE=s3 and LanceDB on s3:// (the configuration under test)', () => {
    expect(server.config).toMatchObject({
      BLOB_STORE: 's3',
      VECTOR_STORE: 'lancedb',
      LANCEDB_URI: `s3://${bucket}/lancedb`,
      CACHE_DRIVER: 'redis',
      QUEUE_DRIVER: 'bullmq',
    });
  });

  it('uploads, ingests and searches, leaving DATA_DIR empty and the blob and index in the bucket', async () => {
    const key = (
      await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'stateless' } })
    ).body.apiKey as string;
    const upload = new FormData();
    upload.append(
      'file',
      new Blob(['# Kestrel\n\nThe Kestrel archive keeps shipping manifests for eleven years.'], {
        type: 'text/markdown',
      }),
      'kestrel.md',
    );
    const created = await server.request('POST', '/v1/documents', { token: key, rawBody: upload });
    expect(created.status).toBe(202);
    const documentId = created.body.documentId as string;
    await waitFor(
      async () =>
        (await server.request('GET', `/v1/documents/${documentId}`, { token: key })).body?.status === 'ready',
      { timeoutMs: 60_000, intervalMs: 100, message: 'the document to be ready' },
    );
    const search = await server.request('POST', '/v1/search', {
      token: key,
      body: { query: 'kestrel shipping manifests', topK: 3 },
    });
    expect(search.status).toBe(200);
    expect(search.body.results.map((result: { documentId: string }) => result.documentId)).toContain(
      documentId,
    );

    expect(listTree(dataDir)).toEqual([]);

    const client = new S3Client(s3.clientConfig());
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
      expect(keys.some((objectKey) => objectKey.startsWith('blobs/') && objectKey.includes(documentId))).toBe(
        true,
      );
      expect(keys.some((objectKey) => objectKey.startsWith('lancedb/chunks.lance/'))).toBe(true);
    } finally {
      client.destroy();
    }
  }, 120_000);
});
