// Writes the OpenAPI document of the HTTP API to a file (default dist/openapi.json), without
// listening or reading the environment: the document depends on the code only. CI lints the file
// with `redocly lint` (apps/server/redocly.yaml). Usage: node dist/write-openapi.js [file]
process.env.SCARF_ANALYTICS ??= 'false';

import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createApp } from './app.factory';
import { buildOpenApiDocument } from './bootstrap/openapi';
import { parseConfig } from './config';

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? path.join(__dirname, 'openapi.json'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ai-scale-openapi-'));
  try {
    // Embedded defaults (memory queue, SQLite, LanceDB in a throwaway directory): every route exists.
    const app = await createApp(
      parseConfig({ LOG_LEVEL: 'silent', DEMO_TENANT: 'false', DATA_DIR: dataDir }),
    );
    try {
      writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`OpenAPI document written to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
