/**
 * Worker processes for crash tests: fork a TypeScript module (compiled in memory by @swc/core, as
 * jest does, so the child always runs the current sources), wait for the messages it sends over
 * IPC, and wait for it to exit (after a SIGKILL, say).
 */
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { join } from 'node:path';

const REGISTER_TS = join(__dirname, '..', 'register-ts.js');

/** Forks `modulePath` (a `.ts` file) with IPC; `args` reach it as `process.argv.slice(2)`. */
export function forkTypeScript(
  modulePath: string,
  args: readonly string[] = [],
  options: ForkOptions = {},
): ChildProcess {
  return fork(modulePath, [...args], {
    ...options,
    execArgv: [...(options.execArgv ?? []), '--require', REGISTER_TS],
  });
}

/** Resolves with the child's next IPC message of `type`; rejects if the child exits first. */
export function nextMessage<M extends { type: string }>(child: ChildProcess, type: M['type']): Promise<M> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`worker exited (${code}) before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}
