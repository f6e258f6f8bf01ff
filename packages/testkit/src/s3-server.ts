/**
 * A real S3-protocol server for tests: s3rver (an npm package, no service to install) on a free
 * loopback port, storing its objects in a fresh temporary directory that `stop()` removes.
 *
 * Talk to it with the official clients as you would to MinIO: endpoint `http://127.0.0.1:<port>`,
 * path-style addressing (`forcePathStyle: true`), region `us-east-1`, credentials `S3RVER` /
 * `S3RVER` (s3rver's built-in account; any other pair is refused with 403).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type S3rver from 's3rver';

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Where s3rver keeps the objects (removed by `stop()`). */
  readonly directory: string;
  createBucket(name: string): Promise<void>;
  /** Options for `new S3Client(...)` of `@aws-sdk/client-s3`. */
  clientConfig(): {
    endpoint: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** LanceDB `storageOptions` for an `s3://<bucket>/…` URI on this server. */
  lancedbStorageOptions(): Record<string, string>;
  /**
   * The environment of an ai-scale server using this S3 server for its blobs (BLOB_STORE=s3) and,
   * with `lancedbPath`, for its vector index (VECTOR_STORE=lancedb, LANCEDB_URI=s3://bucket/path).
   */
  serverEnv(bucket: string, lancedbPath?: string): Record<string, string>;
  stop(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** Buckets created before the server answers. */
  readonly buckets?: readonly string[];
  /** Default 0: a free port chosen by the OS. */
  readonly port?: number;
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
const REGION = 'us-east-1';

/** A random bucket name S3 accepts: 3–63 characters, lowercase letters, digits and hyphens. */
export function uniqueBucketName(label = 'test'): string {
  const prefix = label
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const name = `${prefix || 'test'}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return name.slice(0, 63).replace(/-+$/, '');
}

export async function startS3Server(options: StartS3ServerOptions = {}): Promise<S3TestServer> {
  const { default: S3rverServer } = await import('s3rver');
  const directory = await mkdtemp(join(tmpdir(), 'ai-scale-s3rver-'));
  for (const bucket of options.buckets ?? []) assertBucketName(bucket);
  const server = new S3rverServer({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  fixDelimitedListing(server.store);
  honourIfNoneMatch(server);
  putAtomically(server.store);
  let address;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  let stopped = false;
  return {
    endpoint,
    port: address.port,
    region: REGION,
    ...S3RVER_CREDENTIALS,
    directory,
    async createBucket(name) {
      assertBucketName(name);
      await server.store.putBucket(name);
    },
    clientConfig: () => ({
      endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { ...S3RVER_CREDENTIALS },
    }),
    lancedbStorageOptions: () => ({
      endpoint,
      region: REGION,
      allow_http: 'true',
      aws_access_key_id: S3RVER_CREDENTIALS.accessKeyId,
      aws_secret_access_key: S3RVER_CREDENTIALS.secretAccessKey,
      virtual_hosted_style_request: 'false',
    }),
    serverEnv: (bucket, lancedbPath) => ({
      BLOB_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: REGION,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      ...(lancedbPath === undefined
        ? {}
        : { VECTOR_STORE: 'lancedb', LANCEDB_URI: `s3://${bucket}/${lancedbPath.replace(/^\/+/, '')}` }),
    }),
    async stop() {
      if (stopped) return;
      stopped = true;
      // Clients keep connections alive (LanceDB's pool does); close() alone would wait for them.
      const closing = server.close();
      server.httpServer?.closeAllConnections();
      await closing;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function assertBucketName(name: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name))
    throw new Error(`"${name}" is not a valid S3 bucket name (3–63 lowercase letters, digits, '-', '.')`);
}

type S3rverStore = S3rver['store'];

/**
 * S3 makes a PUT visible whole or not at all. s3rver 3.7.1 streams into the object's file and
 * answers before the write has finished, so a concurrent reader (LanceDB listing a table's new
 * manifest) can read a file of 0 bytes ("Range started at 0 and ended at 0"). The testkit writes the
 * bytes to a temporary file beside it and renames it into place, after the metadata.
 */
function putAtomically(store: S3rverStore): void {
  store.putObject = async (object) => {
    let bytes: Buffer;
    if (Buffer.isBuffer(object.content)) {
      bytes = object.content;
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of object.content) chunks.push(Buffer.from(chunk as Uint8Array));
      bytes = Buffer.concat(chunks);
    }
    const md5 = createHash('md5').update(bytes).digest('hex');
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    // Not a name s3rver lists (its objects end in `._S3rver_object`).
    const temporary = `${objectPath}.${randomBytes(6).toString('hex')}.uploading`;
    await writeFile(temporary, bytes);
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    await rename(temporary, objectPath);
    return { size: bytes.length, md5 };
  };
}

/**
 * S3 (since 2024), MinIO and R2 honour `If-None-Match: *` on PutObject: the put fails with 412 if
 * the key exists. LanceDB commits a table version exactly that way, so that of two concurrent
 * writers one loses and retries instead of overwriting the other's commit. s3rver 3.7.1 ignores the
 * header (two writer processes lost 8 of 50 commits on it), so the testkit checks it first, one put
 * per key at a time, as those stores do.
 */
function honourIfNoneMatch(server: S3rver): void {
  const busy = new Map<string, Promise<void>>();
  server.middleware.unshift(async (context, next) => {
    if (context.method !== 'PUT' || context.get('if-none-match') !== '*') return next();
    const [bucket = '', ...rest] = context.path.slice(1).split('/').map(decodeURIComponent);
    const key = rest.join('/');
    const lock = `${bucket}/${key}`;
    while (busy.has(lock)) await busy.get(lock);
    let release = (): void => undefined;
    busy.set(lock, new Promise<void>((resolve) => (release = resolve)));
    try {
      if (key !== '' && (await server.store.existsObject(bucket, key))) {
        context.status = 412;
        context.type = 'application/xml';
        context.body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
          '<Condition>If-None-Match</Condition></Error>';
        return;
      }
      await next();
    } finally {
      busy.delete(lock);
      release();
    }
  });
}

/**
 * s3rver 3.7.1 answers a delimited listing (`?prefix=db/&delimiter=/`) without the common prefixes
 * of keys two or more levels down: its directory walk prunes every directory below a common prefix
 * before it has seen a key in it. LanceDB lists its tables exactly that way (and found none), so the
 * testkit lists without the delimiter and groups the keys itself, as S3 does.
 */
function fixDelimitedListing(store: S3rverStore): void {
  const list = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const delimiter = options.delimiter ?? '';
    if (delimiter === '') return list(bucket, options);
    const prefix = options.prefix ?? '';
    const maxKeys = options.maxKeys ?? Infinity;
    const all = await list(bucket, { ...options, delimiter: '', maxKeys: Infinity });
    const commonPrefixes = new Set<string>();
    const objects = [];
    let isTruncated = false;
    for (const object of all.objects) {
      const rest = object.key.slice(prefix.length);
      const at = rest.indexOf(delimiter);
      if (at !== -1) {
        commonPrefixes.add(prefix + rest.slice(0, at + delimiter.length));
      } else if (objects.length < maxKeys) {
        objects.push(object);
      } else {
        isTruncated = true;
      }
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
  };
}
