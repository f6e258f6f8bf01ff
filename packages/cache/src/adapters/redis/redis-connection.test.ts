import { parseClusterUrl, resolveRedisTarget } from './redis-connection';

describe('Redis targets of the cache adapters', () => {
  it('parses a redis+cluster:// URL into seed nodes, credentials and TLS', () => {
    expect(parseClusterUrl('redis+cluster://127.0.0.1:7000,127.0.0.1:7001')).toEqual({
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
      tls: false,
    });
    expect(parseClusterUrl('rediss+cluster://user:p%40ss@cache.internal:6380/')).toEqual({
      nodes: [{ host: 'cache.internal', port: 6380 }],
      username: 'user',
      password: 'p@ss',
      tls: true,
    });
    expect(parseClusterUrl('redis://127.0.0.1:6379')).toBeUndefined();
  });

  it('rejects a bad cluster URL, an empty node list or a non-URL with InvalidCacheOptionsError', () => {
    const invalid = expect.objectContaining({ code: 'INVALID_CACHE_OPTIONS' });
    expect(() => parseClusterUrl('redis+cluster://host-without-port')).toThrow(invalid);
    expect(() => parseClusterUrl('redis+cluster://h:70000')).toThrow(invalid);
    expect(() => resolveRedisTarget({ cluster: { nodes: [] } })).toThrow(invalid);
    expect(() => resolveRedisTarget({ url: 'not a url' })).toThrow(invalid);
  });

  it('prefers cluster options over a URL, and a URL over connection options', () => {
    expect(resolveRedisTarget({ url: 'redis://a:1', cluster: { nodes: [{ host: 'b', port: 2 }] } })).toEqual({
      kind: 'cluster',
      cluster: { nodes: [{ host: 'b', port: 2 }] },
    });
    expect(resolveRedisTarget({ url: 'redis://a:1', connection: { host: 'c' } })).toEqual({
      kind: 'standalone',
      url: 'redis://a:1',
    });
  });
});
