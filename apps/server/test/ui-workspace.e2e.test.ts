import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeTextPdf } from '@ai-scale/documents/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { type ServerUnderTest, startServer } from './support/server-under-test';

// The page-side global the in-page callback touches (it runs in Chromium; no DOM lib in this project).
declare const localStorage: { setItem(key: string, value: string): void };

const ADMIN_TOKEN = 'admin-token-for-ui-workspace-0123456';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.REQUIRE_SERVICES === '1') {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (see .ci/run)`);
}
const describeWithChromium = available ? describe : describe.skip;
/** Gitignored; a reviewer opens the PNGs here after a run. */
const SCREENSHOTS = path.join(__dirname, '..', 'test-output', 'screenshots');

/**
 * The primary model of this server speaks the OpenAI protocol: a question containing "hold" is kept
 * in flight until the caller aborts (an agent run to cancel from the page); any other request gets a
 * 503, so the gateway falls back to the extractive provider, which answers with citations.
 */
async function startModel(): Promise<{ url: string; aborted: () => number; close: () => Promise<void> }> {
  let aborted = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      if (body.includes('hold')) {
        response.on('close', () => (aborted += 1));
        return;
      }
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    aborted: () => aborted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describeWithChromium(
  `documents and agent runs on the web page${available ? '' : ' [skipped: no chromium]'}`,
  () => {
    let model: Awaited<ReturnType<typeof startModel>>;
    let server: ServerUnderTest;
    let browser: Browser;
    let page: Page;
    let apiKey: string;
    const problems: string[] = [];

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      model = await startModel();
      server = await startServer({
        ADMIN_TOKEN,
        VECTOR_STORE: 'memory',
        RATE_LIMIT_PER_MINUTE: '1000',
        LLM_PROVIDERS: 'openai-compatible:gpt-4o-mini,extractive',
        OPENAI_BASE_URL: model.url,
        OPENAI_API_KEY: 'sk-local-test',
      });
      apiKey = (
        await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'ui' } })
      ).body.apiKey;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(server.baseUrl + '/');
      await page.fill('#api-key', apiKey);
      await page.click('#key-form button');
      await page.locator('#key-status', { hasText: 'connected' }).waitFor();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await model?.close();
    });

    it('uploads a PDF with a progress bar until ready, lists it with its chunks, and answers about it with a citation', async () => {
      const pdf = await makeTextPdf(
        [
          'Kittiwake is the code name of the billing export.',
          'Kittiwake exports invoices every night at two.',
        ],
        'Kittiwake notes',
      );
      const file = path.join(mkdirTemp(), 'kittiwake.pdf');
      writeFileSync(file, pdf);
      await page.setInputFiles('#file-picker', file);
      const upload = page.locator('#uploads li[data-file="kittiwake.pdf"]');
      await upload.locator('progress').waitFor();
      await upload.locator('.upload-status', { hasText: 'ready' }).waitFor({ timeout: 30_000 });
      expect(await upload.locator('progress').getAttribute('value')).toBe('100');
      const row = page.locator('#documents tr', { hasText: 'kittiwake' });
      await row.locator('.doc-status', { hasText: 'ready' }).waitFor({ timeout: 10_000 });
      expect(Number(await row.locator('.doc-chunks').textContent())).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, '1-uploaded-pdf-ready.png'), fullPage: true });

      await page.fill('#question', 'When does Kittiwake export invoices?');
      await page.click('#send');
      const answer = page.locator('#messages li.assistant').last();
      await answer.locator('.badges').waitFor({ timeout: 30_000 });
      expect(await answer.locator('.text').textContent()).toMatch(/night/i);
      await answer.locator('.citations .source').first().waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, '2-cited-answer.png'), fullPage: true });
    }, 90_000);

    it('streams an agent run and cancels it with the Cancel button (keyboard), aborting its model call', async () => {
      await page.fill('#run-question', 'Please hold: what is Kittiwake?');
      await page.press('#run-question', 'Enter');
      await page.locator('#run-steps .run-step').nth(1).waitFor({ timeout: 30_000 });
      expect(await page.locator('#run-status').textContent()).toBe('running');
      await page.screenshot({ path: path.join(SCREENSHOTS, '3-agent-run-streaming.png'), fullPage: true });
      await page.focus('#run-cancel');
      await page.keyboard.press('Enter');
      await page.locator('#run-status', { hasText: 'cancelled' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('#run-cancel').isDisabled()).toBe(true);
      for (let i = 0; i < 100 && model.aborted() === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(model.aborted()).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, '4-agent-run-cancelled.png'), fullPage: true });
    }, 60_000);

    it("shows the API's message when a delete fails, and deletes a document from the list", async () => {
      const row = page.locator('#documents tr', { hasText: 'kittiwake' });
      await row.getByRole('button', { name: /Delete/ }).click();
      await row.waitFor({ state: 'detached', timeout: 10_000 });
      // A rejected key: the error is the API's own message, not a stack trace.
      await page.evaluate(() => localStorage.setItem('ai-scale.apiKey', 'ask_not-a-real-key'));
      await page.click('#refresh-documents');
      await page.locator('#documents-error', { hasText: /./ }).waitFor();
      expect(await page.locator('#documents-error').textContent()).not.toMatch(/at .*\.js|TypeError/);
      await page.screenshot({ path: path.join(SCREENSHOTS, '5-api-error-shown.png'), fullPage: true });
      expect(problems.filter((problem) => !/401|Failed to load resource/.test(problem))).toEqual([]);
    }, 30_000);
  },
);

function mkdirTemp(): string {
  const directory = path.join(tmpdir(), `ai-scale-ui-${process.pid}-${Date.now()}`);
  mkdirSync(directory, { recursive: true });
  return directory;
}
