import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { type ServerUnderTest, startServer } from './support/server-under-test';

// The little of the DOM that the in-page callbacks below touch (they run in Chromium, not in Node);
// declared here rather than adding the DOM lib, whose fetch types clash with Node's.
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

const ADMIN_TOKEN = 'admin-token-for-ui-tests-0123456789';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.REQUIRE_SERVICES === '1') {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (see .ci/run)`);
}
const describeWithChromium = available ? describe : describe.skip;

/**
 * The page at `/`, in headless Chromium (Debian's chromium driven by playwright-core; no browser
 * download): a question gets an answer with its citations and badges, and the live panel draws
 * charts from GET /v1/stats.
 */
describeWithChromium(
  `web page at / in headless Chromium${available ? '' : ' [skipped: no chromium]'}`,
  () => {
    let server: ServerUnderTest;
    let browser: Browser;
    let page: Page;
    let apiKey: string;

    beforeAll(async () => {
      server = await startServer({ ADMIN_TOKEN, VECTOR_STORE: 'memory', RATE_LIMIT_PER_MINUTE: '1000' });
      const tenant = await server.request('POST', '/v1/admin/tenants', {
        token: ADMIN_TOKEN,
        body: { name: 'ui' },
      });
      apiKey = tenant.body.apiKey;
      const document = await server.request('POST', '/v1/documents', {
        token: apiKey,
        body: {
          title: 'Glider handbook',
          text: 'A glider stays aloft by flying through rising air called thermals. Thermals form over sunny fields.',
        },
      });
      expect(document.status).toBe(202);
      for (let i = 0; i < 200; i++) {
        const job = await server.request('GET', `/v1/jobs/${document.body.jobId}`, { token: apiKey });
        if (job.body.state === 'completed') break;
        if (job.body.state === 'failed') throw new Error(JSON.stringify(job.body.error));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
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
      page = await browser.newPage();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('asks with the stored key, shows the answer with citations and badges, and draws the live charts', async () => {
      const consoleErrors: string[] = [];
      page.on('pageerror', (error) => consoleErrors.push(error.message));
      // The Content-Security-Policy (helmet) must let the page load its module and the vendored parser.
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      await page.goto(server.baseUrl + '/');
      await page.fill('#api-key', apiKey);
      await page.click('#key-form button');
      await page.waitForFunction(() => document.getElementById('key-status')?.textContent === 'connected');

      await page.fill('#question', 'How does a glider stay aloft?');
      await page.click('#send');
      const answer = page.locator('#messages li.assistant').last();
      await answer.locator('.badges').waitFor();
      expect(await answer.locator('.text').textContent()).toMatch(/thermals/i);
      // Citations name their document by title (fetched once per document).
      await answer.locator('.citations .source', { hasText: 'Glider handbook' }).first().waitFor();
      expect(await answer.locator('.citations').textContent()).toMatch(/Sources: \[1\] Glider handbook/);
      const badges = await answer.locator('.badge').allTextContents();
      expect(badges.some((badge) => badge.startsWith('cost: $'))).toBe(true);
      expect(badges.some((badge) => badge.startsWith('tier: '))).toBe(true);

      // The same question in new conversations, not streamed: by the second time at the latest it is
      // served from the cache, and the badge says so.
      await page.uncheck('#stream');
      for (let round = 0; round < 2; round++) {
        await page.click('#new-chat');
        expect(await page.locator('#messages li').count()).toBe(0);
        await page.fill('#question', 'How does a glider stay aloft?');
        await page.click('#send');
        await page.locator('#messages li.assistant .badges').waitFor();
      }
      expect(await page.locator('#messages li.assistant .badge.cached').textContent()).toMatch(
        /cached: (exact|semantic)/,
      );

      // The live panel: latency lines and usage bars are drawn (charts, not tables).
      await page.waitForFunction(
        () => document.querySelectorAll('#chart-latency polyline').length === 2,
        undefined,
        { timeout: 10_000 },
      );
      await page.waitForFunction(
        () => document.querySelectorAll('#chart-tokens rect').length > 0,
        undefined,
        {
          timeout: 10_000,
        },
      );
      expect(await page.locator('#chart-queue polyline').count()).toBe(1);
      expect(await page.locator('#chart-cache polyline').count()).toBe(1);
      expect(consoleErrors).toEqual([]);
    }, 60_000);

    it('serves Swagger UI at /docs under the same Content-Security-Policy, with every operation listed', async () => {
      const problems: string[] = [];
      const docs = await browser.newPage();
      docs.on('pageerror', (error) => problems.push(error.message));
      docs.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      const response = await docs.goto(server.baseUrl + '/docs');
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await docs
        .locator('.opblock-summary-path', { hasText: '/v1/chat' })
        .first()
        .waitFor({ timeout: 20_000 });
      expect(await docs.locator('.opblock').count()).toBeGreaterThan(15);
      // A response schema renders: open POST /v1/search and find its 200 body's fields.
      await docs.locator('#operations-search-SearchController_run .opblock-summary').click();
      await docs.locator('#operations-search-SearchController_run .responses-table').first().waitFor();
      expect(await docs.locator('#operations-search-SearchController_run').textContent()).toContain(
        'timings',
      );
      expect(problems).toEqual([]);
      await docs.close();
    }, 60_000);

    it('says so when the key is rejected', async () => {
      await page.goto(server.baseUrl + '/');
      await page.fill('#api-key', 'ask_not-a-real-key');
      await page.click('#key-form button');
      await page.waitForFunction(() => document.getElementById('key-status')?.textContent === 'key rejected');
    }, 30_000);
  },
);
