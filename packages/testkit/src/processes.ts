/**
 * Child processes of a system test or benchmark (server roles, redis-server): spawned into one group that
 * is torn down at the end, on failure, and, as a last resort, when the bench process exits or is
 * interrupted, so no server or Redis outlives a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface ChildHandle {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines it printed (stdout and stderr), for error messages. */
  tail(): string;
  readonly running: boolean;
}

const live = new Set<ChildProcess>();
let hooksInstalled = false;

/** Kills every child still running (SIGKILL), synchronously: safe inside an `exit` handler. */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.exit(130);
    });
  }
}

export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ChildHandle {
  installExitHooks();
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      lines.push(String(error));
      live.delete(child);
      resolve({ code: -1, signal: null });
    });
  });
  return {
    name,
    process: child,
    exited,
    tail: () => lines.join('\n'),
    get running() {
      return child.exitCode === null && child.signalCode === null && live.has(child);
    },
  };
}

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs. Resolves once the process is gone. */
export async function stopChild(
  handle: ChildHandle,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5_000,
): Promise<void> {
  if (!handle.running) return;
  handle.process.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)),
  );
  const outcome = await Promise.race([handle.exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    handle.process.kill('SIGKILL');
    await handle.exited;
  }
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true; fails early if `handle` exits, or after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; handle?: ChildHandle },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline) {
    if (options.handle && !options.handle.running) {
      throw new Error(`${options.handle.name} exited while waiting for ${what}:\n${options.handle.tail()}`);
    }
    if (await probe().catch(() => false)) return;
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${what}${options.handle ? `:\n${options.handle.tail()}` : ''}`,
  );
}
