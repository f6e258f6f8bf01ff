import { FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http-server';

interface StoredVector {
  readonly id: string;
  readonly values: number[];
  readonly metadata: Record<string, unknown>;
}

/**
 * A local server speaking the Pinecone data-plane routes `PineconeVectorStore` uses, for the
 * official client: `POST /vectors/upsert`, `POST /query`, `POST /vectors/delete` (ids, filter or
 * deleteAll), `GET /vectors/fetch`, `POST /vectors/fetch_by_metadata`, `GET /vectors/list` and
 * `POST /describe_index_stats`. Namespaces are separate maps; metadata filters follow Pinecone's
 * operators ($eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists, $and, $or); scores are cosine.
 * Requests without an `Api-Key` header get 401, vectors of another size 400, like the service.
 */
export async function startFakePineconeServer(options: {
  dimensions: number;
  apiKey?: string;
}): Promise<FakeHttpServer> {
  const namespaces = new Map<string, Map<string, StoredVector>>();
  const space = (name: unknown): Map<string, StoredVector> => {
    const key = typeof name === 'string' ? name : '';
    let found = namespaces.get(key);
    if (!found) namespaces.set(key, (found = new Map()));
    return found;
  };
  const badRequest = (message: string): FakeResponse => ({
    status: 400,
    body: { code: 3, message, details: [] },
  });

  return FakeHttpServer.start((request: RecordedRequest): FakeResponse => {
    const apiKey = request.headers['api-key'];
    if (!apiKey || (options.apiKey !== undefined && apiKey !== options.apiKey)) {
      return { status: 401, body: { code: 16, message: 'Invalid API Key', details: [] } };
    }
    const url = new URL(request.path, 'http://fake');
    const body = (request.body ?? {}) as Record<string, unknown>;
    switch (`${request.method} ${url.pathname}`) {
      case 'POST /vectors/upsert': {
        const vectors = body.vectors as StoredVector[] | undefined;
        if (!Array.isArray(vectors)) return badRequest('vectors required');
        for (const vector of vectors) {
          if (vector.values.length !== options.dimensions) {
            return badRequest(
              `Vector dimension ${vector.values.length} does not match the dimension of the index ${options.dimensions}`,
            );
          }
        }
        const target = space(body.namespace);
        for (const vector of vectors)
          target.set(vector.id, { id: vector.id, values: vector.values, metadata: vector.metadata ?? {} });
        return { status: 200, body: { upsertedCount: vectors.length } };
      }
      case 'POST /query': {
        const vector = body.vector as number[] | undefined;
        if (!Array.isArray(vector) || vector.length !== options.dimensions)
          return badRequest('query vector dimension mismatch');
        const filter = body.filter as Record<string, unknown> | undefined;
        const matches = [...space(body.namespace).values()]
          .filter((stored) => filter === undefined || matches_(filter, stored.metadata))
          .map((stored) => ({ stored, score: cosine(vector, stored.values) }))
          .sort((left, right) => right.score - left.score)
          .slice(0, Number(body.topK ?? 10))
          .map(({ stored, score }) => ({
            id: stored.id,
            score,
            ...(body.includeValues ? { values: stored.values } : { values: [] }),
            ...(body.includeMetadata ? { metadata: stored.metadata } : {}),
          }));
        return { status: 200, body: { matches, namespace: body.namespace ?? '', usage: { readUnits: 1 } } };
      }
      case 'POST /vectors/delete': {
        const target = space(body.namespace);
        if (body.deleteAll === true) target.clear();
        else if (Array.isArray(body.ids)) for (const id of body.ids as string[]) target.delete(id);
        else if (body.filter && typeof body.filter === 'object') {
          for (const stored of [...target.values()])
            if (matches_(body.filter as Record<string, unknown>, stored.metadata)) target.delete(stored.id);
        } else return badRequest('ids, filter or deleteAll required');
        return { status: 200, body: {} };
      }
      case 'GET /vectors/fetch': {
        const target = space(url.searchParams.get('namespace'));
        const vectors: Record<string, StoredVector> = {};
        for (const id of url.searchParams.getAll('ids')) {
          const stored = target.get(id);
          if (stored) vectors[id] = stored;
        }
        return { status: 200, body: { vectors, namespace: url.searchParams.get('namespace') ?? '' } };
      }
      case 'POST /vectors/fetch_by_metadata': {
        const filter = body.filter as Record<string, unknown> | undefined;
        const limit = Number(body.limit ?? 100);
        const offset = Number(body.paginationToken ?? 0);
        const found = [...space(body.namespace).values()].filter(
          (stored) => filter === undefined || matches_(filter, stored.metadata),
        );
        const page = found.slice(offset, offset + limit);
        const vectors: Record<string, StoredVector> = {};
        for (const stored of page) vectors[stored.id] = stored;
        return {
          status: 200,
          body: {
            vectors,
            namespace: body.namespace ?? '',
            ...(offset + limit < found.length ? { pagination: { next: String(offset + limit) } } : {}),
          },
        };
      }
      case 'GET /vectors/list': {
        const prefix = url.searchParams.get('prefix') ?? '';
        const limit = Number(url.searchParams.get('limit') ?? 100);
        const offset = Number(url.searchParams.get('paginationToken') ?? 0);
        const ids = [...space(url.searchParams.get('namespace')).keys()]
          .filter((id) => id.startsWith(prefix))
          .sort();
        return {
          status: 200,
          body: {
            vectors: ids.slice(offset, offset + limit).map((id) => ({ id })),
            ...(offset + limit < ids.length ? { pagination: { next: String(offset + limit) } } : {}),
            namespace: url.searchParams.get('namespace') ?? '',
          },
        };
      }
      case 'POST /describe_index_stats': {
        const summary: Record<string, { vectorCount: number }> = {};
        let total = 0;
        for (const [name, vectors] of namespaces) {
          if (vectors.size === 0) continue;
          summary[name] = { vectorCount: vectors.size };
          total += vectors.size;
        }
        return {
          status: 200,
          body: {
            namespaces: summary,
            dimension: options.dimensions,
            indexFullness: 0,
            totalVectorCount: total,
            metric: 'cosine',
          },
        };
      }
      default:
        return { status: 404, body: { code: 5, message: `no route ${request.method} ${url.pathname}` } };
    }
  });
}

function matches_(filter: Record<string, unknown>, metadata: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and')
      return (condition as Record<string, unknown>[]).every((inner) => matches_(inner, metadata));
    if (key === '$or')
      return (condition as Record<string, unknown>[]).some((inner) => matches_(inner, metadata));
    const value = metadata[key];
    const operators =
      condition !== null && typeof condition === 'object' && !Array.isArray(condition)
        ? (condition as Record<string, unknown>)
        : { $eq: condition };
    return Object.entries(operators).every(([operator, operand]) => {
      switch (operator) {
        case '$eq':
          return value !== undefined && value === operand;
        case '$ne':
          return value !== operand;
        case '$in':
          return value !== undefined && (operand as unknown[]).includes(value);
        case '$nin':
          return !(operand as unknown[]).includes(value);
        case '$gt':
          return typeof value === 'number' && value > (operand as number);
        case '$gte':
          return typeof value === 'number' && value >= (operand as number);
        case '$lt':
          return typeof value === 'number' && value < (operand as number);
        case '$lte':
          return typeof value === 'number' && value <= (operand as number);
        case '$exists':
          return (value !== undefined) === operand;
        default:
          throw new Error(`unsupported filter operator ${operator}`);
      }
    });
  });
}

function cosine(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  left.forEach((value, i) => {
    const other = right[i] ?? 0;
    dot += value * other;
    leftNorm += value * value;
    rightNorm += other * other;
  });
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}
