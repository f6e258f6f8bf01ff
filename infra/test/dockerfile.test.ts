import * as fs from 'node:fs';
import { readText, repoPath } from './support/files';

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: string[];
}

/** Splits a Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
function stages(dockerfile: string): Stage[] {
  const lines = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const args = new Map<string, string>();
  const result: Stage[] = [];
  for (const line of lines) {
    const argument = /^ARG\s+(\w+)=(\S+)/.exec(line);
    if (argument && result.length === 0) args.set(argument[1] as string, argument[2] as string);
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      const image = (from[1] as string).replace(
        /\$\{(\w+)\}/g,
        (_whole, name: string) => args.get(name) ?? '',
      );
      result.push({ from: image, name: from[2], instructions: [] });
    } else result.at(-1)?.instructions.push(line);
  }
  return result;
}

describe('the server image (Dockerfile)', () => {
  const dockerfile = readText(repoPath('Dockerfile'));
  const all = stages(dockerfile);
  const runtime = all.at(-1) as Stage;
  const has = (stage: Stage, pattern: RegExp) =>
    stage.instructions.some((instruction) => pattern.test(instruction));

  it('is multi-stage and ends on node:20-bookworm-slim', () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(runtime.from).toBe('node:20-bookworm-slim');
  });

  it('compiles native modules in a build stage, never in the runtime one', () => {
    const deps = all.find((stage) => stage.name === 'deps') as Stage;
    expect(has(deps, /apt-get install.*python3.*make.*g\+\+/)).toBe(true);
    expect(has(deps, /npm ci\b/)).toBe(true);
    expect(has(deps, /--omit=optional/)).toBe(false);
    expect(has(runtime, /g\+\+|npm ci|npm install/)).toBe(false);
  });

  it('builds with turbo and copies only the staged production files', () => {
    const build = all.find((stage) => stage.name === 'build') as Stage;
    expect(has(build, /turbo run build --filter=@ai-scale\/server\.\.\./)).toBe(true);
    expect(has(build, /npm prune --omit=dev/)).toBe(true);
    expect(has(build, /infra\/docker\/stage-production\.sh/)).toBe(true);
    expect(fs.existsSync(repoPath('infra/docker/stage-production.sh'))).toBe(true);
    const copies = runtime.instructions.filter((instruction) => instruction.startsWith('COPY'));
    expect(copies).toEqual(['COPY --from=build /prod/ ./']);
  });

  it('runs as a non-root user, with ROLE, LanceDB threads and the entry point from the environment', () => {
    const users = runtime.instructions.filter((instruction) => instruction.startsWith('USER'));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)\b/);
    expect(has(runtime, /^ENV\b.*\bLANCE_CPU_THREADS=2\b/)).toBe(true);
    expect(has(runtime, /^ENV\b.*\bROLE=all\b/)).toBe(true);
    expect(has(runtime, /^CMD \["node", "apps\/server\/dist\/main\.js"\]$/)).toBe(true);
  });

  it('checks its health on /health/live at PORT', () => {
    expect(has(runtime, /^HEALTHCHECK .*\/health\/live/)).toBe(true);
    expect(has(runtime, /^HEALTHCHECK .*process\.env\.PORT/)).toBe(true);
  });

  it('keeps dependencies, builds and secrets out of the build context', () => {
    const ignored = readText(repoPath('.dockerignore'))
      .split(/\r?\n/)
      .map((line) => line.trim());
    for (const entry of ['**/node_modules', '**/dist', '.git', '**/.env']) expect(ignored).toContain(entry);
  });
});
