import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type ChildHandle, freePort, spawnChild, stopChild, waitUntil } from '@ai-scale/testkit';
import { builtMain } from './api-and-worker';
import { httpRequest, type RequestOptions, type TestResponse } from './server-under-test';

/** One server process of a fleet: its role, its own DATA_DIR, and (for an api) its base URL. */
export interface FleetMember {
  readonly name: string;
  readonly role: 'api' | 'worker';
  readonly dataDir: string;
  readonly baseUrl: string;
  handle: ChildHandle;
  request(method: string, url: string, options?: RequestOptions): Promise<TestResponse>;
}

export interface ServerFleet {
  readonly apis: readonly FleetMember[];
  readonly workers: readonly FleetMember[];
  /** SIGKILLs a member (no graceful shutdown: what a crashed machine does). */
  kill(member: FleetMember): Promise<void>;
  /** Starts a killed member again with the same environment and DATA_DIR. */
  restart(member: FleetMember): Promise<void>;
  /** The files each member left in its DATA_DIR (relative paths), for "nothing on local disk" checks. */
  dataDirFiles(member: FleetMember): string[];
  stop(): Promise<void>;
}

function listFiles(root: string, relative = ''): string[] {
  const directory = path.join(root, relative);
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(relative, entry.name);
    return entry.isDirectory() ? listFiles(root, child) : [child];
  });
}

/**
 * Several server processes from the built dist, as several machines would run them: `apis` ROLE=api
 * and `workers` ROLE=worker processes sharing only what `environment` points at (Redis, PostgreSQL,
 * an object store, a vector index) — each gets its OWN empty DATA_DIR, so nothing can pass through
 * a shared disk.
 */
export async function startServerFleet(
  label: string,
  environment: Readonly<Record<string, string>>,
  counts: { apis: number; workers: number } = { apis: 2, workers: 2 },
): Promise<ServerFleet> {
  if (!existsSync(builtMain)) throw new Error('build the server first: npm run build -w @ai-scale/server');
  const members: FleetMember[] = [];

  const launch = async (member: FleetMember, port: number): Promise<void> => {
    member.handle = spawnChild(member.name, process.execPath, [builtMain], {
      env: {
        PATH: process.env.PATH,
        SCARF_ANALYTICS: 'false',
        LANCE_CPU_THREADS: '2',
        LANCEDB_LOG: 'error',
        LOG_LEVEL: 'warn',
        DEMO_TENANT: 'false',
        ...environment,
        ROLE: member.role,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: member.dataDir,
      },
    });
    await waitUntil(
      `${member.name} ready`,
      async () => (await httpRequest(member.baseUrl, 'GET', '/health/ready')).status === 200,
      { timeoutMs: 60_000, intervalMs: 200, handle: member.handle },
    );
  };

  const ports = new Map<FleetMember, number>();
  const create = async (role: 'api' | 'worker', index: number): Promise<FleetMember> => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const member: FleetMember = {
      name: `${role}-${index + 1}`,
      role,
      dataDir: mkdtempSync(path.join(tmpdir(), `ai-scale-${label}-${role}${index + 1}-`)),
      baseUrl,
      handle: undefined as unknown as ChildHandle,
      request: (method, url, options) => httpRequest(baseUrl, method, url, options),
    };
    ports.set(member, port);
    members.push(member);
    return member;
  };

  const apis = await Promise.all(Array.from({ length: counts.apis }, (_, index) => create('api', index)));
  const workers = await Promise.all(
    Array.from({ length: counts.workers }, (_, index) => create('worker', index)),
  );
  try {
    // The first api migrates the schema (advisory lock); the others then start together.
    await launch(apis[0]!, ports.get(apis[0]!)!);
    await Promise.all(members.slice(1).map((member) => launch(member, ports.get(member)!)));
  } catch (error) {
    await Promise.all(members.filter((member) => member.handle).map((member) => stopChild(member.handle)));
    throw error;
  }

  return {
    apis,
    workers,
    async kill(member) {
      await stopChild(member.handle, 'SIGKILL', 0);
    },
    async restart(member) {
      await launch(member, ports.get(member)!);
    },
    dataDirFiles: (member) => listFiles(member.dataDir),
    async stop() {
      await Promise.all(members.map((member) => stopChild(member.handle, 'SIGTERM', 10_000)));
      for (const member of members) rmSync(member.dataDir, { recursive: true, force: true });
    },
  };
}
