/**
 * A real Redis Cluster on loopback for tests: `masters` (3 by default) `redis-server
 * --cluster-enabled yes` processes on free ports, joined with `redis-cli --cluster create`, each
 * in a throwaway directory, nothing persisted. `startRedisCluster()` resolves once every node
 * reports `cluster_state:ok`; `stop()` kills the nodes and removes the directory.
 *
 * The cluster is private to the test that started it (no key prefixes needed, unlike the shared
 * Redis on 6379). Suites declare themselves with `describeWithRedisCluster`: skipped with the reason
 * in the title when `redis-server`/`redis-cli` are not installed, failed with `REQUIRE_SERVICES=1`.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
}

export interface RedisCluster {
  /** The masters, every one of them a valid seed for a cluster client. */
  readonly nodes: readonly RedisClusterNode[];
  /** The same nodes as a `redis+cluster://host:port,host:port` URL (what the server's config accepts). */
  readonly url: string;
  /** Kills the nodes (SIGKILL: nothing to flush) and removes their directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** Number of masters (no replicas); Redis needs at least 3. Default 3. */
  readonly masters?: number;
  /** How long to wait for the cluster to come up, in ms. Default 30 000 (the machine is shared). */
  readonly timeoutMs?: number;
  /** Binaries; default from PATH. */
  readonly redisServer?: string;
  readonly redisCli?: string;
}

const HOST = '127.0.0.1';
/** Redis's cluster bus listens on the client port + 10 000, so both must be free. */
const BUS_OFFSET = 10_000;

let binariesPresent: boolean | undefined;

/** Whether `redis-server` and `redis-cli` are installed (a cluster can be started here). */
export function redisClusterAvailable(): boolean {
  binariesPresent ??= ['redis-server', 'redis-cli'].every(
    (binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0,
  );
  return binariesPresent;
}

/**
 * `describe` for suites that start their own Redis Cluster: skipped (reason in the title) when the
 * binaries are missing, unless `REQUIRE_SERVICES=1`, where the missing binaries fail the file.
 */
export function describeWithRedisCluster(name: string, body: () => void): void {
  if (redisClusterAvailable()) {
    describe(name, body);
  } else if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error('REQUIRE_SERVICES=1 but redis-server/redis-cli are not installed (Debian: redis-server)');
  } else {
    describe.skip(`${name} [skipped: redis-server/redis-cli not installed]`, body);
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** A port the OS hands out whose cluster-bus twin (port + 10 000) is free too. */
async function freeClusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port === 0 || port + BUS_OFFSET > 65_535 || taken.has(port) || taken.has(port + BUS_OFFSET)) continue;
    if (await portIsFree(port + BUS_OFFSET)) return port;
  }
  throw new Error('no free port pair (port, port + 10000) found for a Redis Cluster node');
}

function run(binary: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, [...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${binary} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

async function until(
  condition: () => Promise<boolean>,
  deadline: number,
  what: string,
  lastOutput: () => string = () => '',
): Promise<void> {
  const holds = (): Promise<boolean> =>
    condition().catch((error: unknown) => {
      if (error instanceof PortTakenError) throw error;
      return false;
    });
  while (!(await holds())) {
    if (Date.now() > deadline)
      throw new Error(`Redis Cluster: timed out waiting for ${what}\n${lastOutput()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the child has exited and its output pipes are closed (no handle left open). */
function closedProcess(child: ChildProcess): Promise<void> {
  const pipesOpen = [child.stdout, child.stderr].some((stream) => stream !== null && !stream.closed);
  return !pipesOpen && (child.exitCode !== null || child.signalCode !== null)
    ? Promise.resolve()
    : new Promise((resolve) => child.once('close', () => resolve()));
}

/**
 * Starts a fresh `masters`-node Redis Cluster on loopback; see the module comment. Another test
 * may grab a chosen port between the probe and `redis-server` binding it: then that node exits at
 * once, and the cluster is started again on other ports (three tries).
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(options: StartRedisClusterOptions): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  if (masters < 3) throw new Error(`a Redis Cluster needs at least 3 masters (got ${masters})`);
  const redisServer = options.redisServer ?? 'redis-server';
  const redisCli = options.redisCli ?? 'redis-cli';
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const dir = await mkdtemp(join(tmpdir(), 'ai-scale-redis-cluster-'));
  const children: ChildProcess[] = [];
  let output = '';
  let stopped = false;
  let exitedEarly: string | undefined;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map(closedProcess));
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const taken = new Set<number>();
    const nodes: RedisClusterNode[] = [];
    for (let index = 0; index < masters; index++) {
      const port = await freeClusterPort(taken);
      taken.add(port).add(port + BUS_OFFSET);
      nodes.push({ host: HOST, port });
    }
    for (const { port } of nodes) {
      const child = spawn(
        redisServer,
        [
          '--port',
          String(port),
          '--bind',
          HOST,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '5000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--daemonize',
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString()).slice(-4000);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.once('exit', () => {
        if (!stopped) exitedEarly = `redis-server on port ${port} exited`;
      });
      children.push(child);
    }
    const cli = (port: number, ...args: string[]): Promise<string> =>
      run(redisCli, ['-h', HOST, '-p', String(port), ...args], 10_000);
    // Our own nodes only: a node that exited lost its port to someone else (whose PONG would lie).
    const ours = (): void => {
      if (exitedEarly) throw new PortTakenError(`${exitedEarly}\n${output}`);
    };
    await until(
      async () => {
        ours();
        const replies = await Promise.all(nodes.map(({ port }) => cli(port, 'PING')));
        return replies.every((reply) => reply.trim() === 'PONG');
      },
      deadline,
      'every node to answer PING',
      () => output,
    );
    ours();
    await run(
      redisCli,
      [
        '--cluster',
        'create',
        ...nodes.map(({ host, port }) => `${host}:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      Math.max(1000, deadline - Date.now()),
    );
    // `--cluster create` returns once the nodes agree on the configuration; clients need every node
    // to have every slot covered (cluster_state:ok) and to know all the others.
    await until(
      async () =>
        (await Promise.all(nodes.map(({ port }) => cli(port, 'CLUSTER', 'INFO')))).every(
          (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`),
        ),
      deadline,
      'cluster_state:ok on every node',
      () => output,
    );
    return {
      nodes,
      url: `redis+cluster://${nodes.map(({ host, port }) => `${host}:${port}`).join(',')}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
