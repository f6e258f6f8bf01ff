import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const main = path.join(__dirname, '..', 'dist', 'main.js');

// Runs the BUILT server (`npm run build -w @ai-scale/server` first), as `npm start` does.
(existsSync(main) ? describe : describe.skip)('the built server refuses a bad configuration', () => {
  it('exits non-zero before listening, naming every bad variable on stderr', () => {
    const result = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port', CACHE_DRIVER: 'memcached', ROLE: 'api' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('CACHE_DRIVER');
    expect(result.stderr).not.toContain('ROLE');
    expect(result.stdout).not.toContain('listening');
  });
});
