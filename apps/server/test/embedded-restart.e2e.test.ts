import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { waitFor } from '@ai-scale/testkit';
import { type ServerUnderTest, startServer } from './support/server-under-test';

/**
 * Embedded mode with its defaults (SQLite and LanceDB under DATA_DIR): the demo tenant is created
 * once, its key kept in DATA_DIR (mode 600), the docs folder ingested once, and everything is
 * still there after a restart.
 */
describe('embedded mode survives a restart', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ai-scale-embedded-'));
  const dataDir = path.join(root, 'data');
  const docsDir = path.join(root, 'docs');
  let server: ServerUnderTest | undefined;

  beforeAll(() => {
    mkdirSync(docsDir);
    writeFileSync(
      path.join(docsDir, 'plover.md'),
      '# Plover\n\nPlover is the name of the nightly export job. It runs at 02:00 UTC.',
    );
    writeFileSync(path.join(docsDir, 'tern.md'), '# Tern\n\nTern is the mobile app for field engineers.');
  });

  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const start = () => startServer({ DATA_DIR: dataDir, DEMO_TENANT: 'true', DEMO_DOCS_DIR: docsDir });

  async function readyDocuments(key: string): Promise<Array<{ status: string; title: string }>> {
    let documents: Array<{ status: string; title: string }> = [];
    await waitFor(
      async () => {
        documents = (await server!.request('GET', '/v1/documents', { token: key })).body.documents;
        return documents.length === 2 && documents.every((document) => document.status === 'ready');
      },
      { message: 'the demo documents to be ready' },
    );
    return documents;
  }

  it('creates the demo tenant and ingests the docs folder once, and keeps both across a restart', async () => {
    server = await start();
    const keyFile = path.join(dataDir, 'demo-api-key.txt');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await readyDocuments(key);
    const before = await server.request('POST', '/v1/search', {
      token: key,
      body: { query: 'When does Plover run?' },
    });
    expect(before.body.results[0]?.text).toContain('02:00');
    await server.close();

    server = await start();
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
    const documents = await readyDocuments(key);
    expect(documents.map((document) => document.title).sort()).toEqual(['plover.md', 'tern.md']);
    const after = await server.request('POST', '/v1/search', {
      token: key,
      body: { query: 'When does Plover run?' },
    });
    expect(after.body.results[0]?.text).toContain('02:00');
    const chat = await server.request('POST', '/v1/chat', { token: key, body: { message: 'What is Tern?' } });
    expect(chat.status).toBe(200);
    expect(chat.body.answer).toContain('field engineers');
  });
});
