import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSchemaEnv, SERVER_ENV, SERVER_SCHEMA_ENV, SERVER_SCHEMA_FILE } from './support/server-env';

describe('the environment variables the deployment files rely on', () => {
  const schemaExists = fs.existsSync(SERVER_SCHEMA_FILE);

  (schemaExists ? it : it.skip)(
    `are all read by the server's config schema${schemaExists ? '' : ' (skipped: apps/server has no config schema yet)'}`,
    () => {
      expect(SERVER_SCHEMA_ENV.length).toBeGreaterThanOrEqual(20);
      const missing = SERVER_ENV.filter((name) => !SERVER_SCHEMA_ENV.includes(name));
      expect(missing).toEqual([]);
    },
  );

  it('reads keys from a zod object, and only from it', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-scale-env-'));
    const file = path.join(directory, 'config.schema.ts');
    fs.writeFileSync(
      file,
      [
        "const NOT_A_KEY = 'x';",
        'export const configSchema = z',
        '  .object({',
        "    ROLE: z.enum(['api', 'worker', 'all']),",
        '    PORT: z.coerce.number(),',
        '  })',
      ].join('\n'),
    );
    try {
      expect(readSchemaEnv(file)).toEqual(['ROLE', 'PORT']);
      expect(readSchemaEnv(path.join(directory, 'missing.ts'))).toEqual([]);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
