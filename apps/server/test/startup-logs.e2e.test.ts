import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const main = path.join(__dirname, '..', 'dist', 'main.js');
const BANNER = /\nai-scale \(all\) listening on (http:\/\/localhost:\d+)\n(?:.*\n)*?\n/;

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly banner: RegExpExecArray;
  readonly dataDir: string;
}

/** Runs the built server with stdout a pipe (as under a process manager) until its banner is out. */
async function startBuiltServer(environment: Record<string, string>): Promise<Started> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ai-scale-logs-'));
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: process.env.NODE_OPTIONS ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_TENANT: 'false',
      SCARF_ANALYTICS: 'false',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const banner = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = (): void => {
      const match = BANNER.exec(stdout);
      if (match) resolve(match);
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before its banner:\n${stdout}`)));
  });
  return { child, output: () => stdout, banner, dataDir };
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
  rmSync(started.dataDir, { recursive: true, force: true });
}

/** The start-up output of the BUILT server (`npm run build` first), as `npm start` runs it. */
(existsSync(main) ? describe : describe.skip)('start-up output of the built server', () => {
  let started: Started | undefined;
  afterEach(async () => {
    await stop(started);
    started = undefined;
  });

  it('writes JSON lines when stdout is not a terminal (LOG_FORMAT=auto), the banner last', async () => {
    started = await startBuiltServer({});
    // The server answers: start-up is over, and nothing of it was printed after the banner.
    expect((await fetch(`${started.banner[1]}/health/live`)).status).toBe(200);
    const output = started.output();
    const before = output.slice(0, started.banner.index);
    const lines = before.split('\n').filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(before).toContain('Nest application successfully started');
    expect(output.slice(started.banner.index + started.banner[0].length)).toBe('');
  }, 60_000);

  it('writes readable lines with LOG_FORMAT=pretty (what a terminal gets), the banner last', async () => {
    started = await startBuiltServer({ LOG_FORMAT: 'pretty' });
    expect((await fetch(`${started.banner[1]}/health/live`)).status).toBe(200);
    const output = started.output();
    const before = output.slice(0, started.banner.index);
    expect(before).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[NestApplication\] Nest application successfully started/m,
    );
    expect(before.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    expect(output.slice(started.banner.index + started.banner[0].length)).toBe('');
  }, 60_000);
});
