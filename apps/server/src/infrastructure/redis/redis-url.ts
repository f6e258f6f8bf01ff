// Parsing of Redis Cluster addresses, shared by the config schema (validation) and the connection
// factory (no imports: the config must not depend on the clients).

/** A Redis Cluster seed node. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** `redis+cluster://[user:password@]host:port,host:port[/]` (or `rediss+cluster://`). */
export const REDIS_CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/@\s]+?)\/?$/;
const NODE = /^\[?([^\s\],]+?)\]?:(\d{1,5})$/;

/** Parses `host:port,host:port` (IPv6 in brackets); undefined when any entry is malformed. */
export function parseRedisNodes(list: string): RedisNode[] | undefined {
  const nodes: RedisNode[] = [];
  for (const entry of list.split(',')) {
    const match = NODE.exec(entry.trim());
    const port = Number(match?.[2]);
    if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
    nodes.push({ host: match[1], port });
  }
  return nodes.length > 0 ? nodes : undefined;
}

/** Whether `value` is a `redis+cluster://` URL with at least one well-formed node (for the config schema). */
export function isRedisClusterUrl(value: string): boolean {
  const match = REDIS_CLUSTER_URL.exec(value);
  return match?.[4] !== undefined && parseRedisNodes(match[4]) !== undefined;
}
