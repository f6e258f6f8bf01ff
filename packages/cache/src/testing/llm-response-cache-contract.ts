import assert from 'node:assert/strict';
import type { CacheableRequest, JsonValue, LlmResponseCache } from '../index';
import type { ContractTestFunctions } from './key-value-cache-contract';
import { ManualClock } from './manual-clock';
import { seededRandom } from './random';

export interface LlmResponseCacheHarness {
  /**
   * A fresh response cache with a semantic layer (threshold suited to `HashingEmbedder`, ~0.75) and a
   * default TTL of 60 s by `now`. Closing is the harness's business (`close`).
   */
  create(now: () => number): Promise<LlmResponseCache>;
  /** A second response cache over the same store, as another process would open it. */
  createSibling?(cache: LlmResponseCache, now: () => number): Promise<LlmResponseCache>;
  close(): Promise<void>;
}

function request(
  tenantId: string,
  question: string,
  change: Partial<CacheableRequest> = {},
): CacheableRequest {
  return {
    tenantId,
    modelRoute: 'tier:small',
    promptVersion: 'answer@1',
    messages: [
      { role: 'system', content: 'Answer from the documentation.' },
      { role: 'user', content: question },
    ],
    temperature: 0,
    maxTokens: 300,
    ...change,
  };
}

/**
 * The contract of `LlmResponseCache` (see its doc comment): exact and semantic hits, the sampling
 * rule, invalidation by document, tenant and prompt version, TTL, and a randomized tenant-isolation
 * check over colliding tenant ids and texts.
 */
export function llmResponseCacheContract(
  t: ContractTestFunctions,
  harness: LlmResponseCacheHarness,
  capabilities: { readonly sharedAcrossInstances: boolean },
): void {
  const { describe, it } = t;
  let clock = new ManualClock();
  const open = (): Promise<LlmResponseCache> => {
    clock = new ManualClock();
    return harness.create(clock.now);
  };
  t.afterEach(() => harness.close());

  describe('LlmResponseCache contract', () => {
    it('misses, stores, then serves an exact hit with what it saved', async () => {
      const cache = await open();
      const question = request('t1', 'How do I rotate an API key?');
      assert.equal(await cache.lookup(question), null);
      const outcome = await cache.store(
        question,
        { text: 'Use the console.' },
        { citedDocumentIds: ['doc-1'], tokens: 420, costUsd: 0.0021 },
      );
      assert.equal(outcome.stored, true);
      const hit = await cache.lookup(question);
      assert.ok(hit);
      assert.equal(hit.kind, 'exact');
      assert.deepEqual(hit.value, { text: 'Use the console.' });
      assert.deepEqual(hit.citedDocumentIds, ['doc-1']);
      assert.equal(hit.tokens, 420);
      assert.equal(hit.costUsd, 0.0021);
    });

    it('neither stores nor serves sampled requests unless the caller allows it', async () => {
      const cache = await open();
      const sampled = request('t1', 'Write a haiku about caches', { temperature: 0.8 });
      assert.deepEqual(await cache.store(sampled, 'poem'), { stored: false, reason: 'non-zero-temperature' });
      assert.equal(
        await cache.lookup({ ...sampled, temperature: 0.8, cachePolicy: { allowNonZeroTemperature: true } }),
        null,
      );
      const allowed = { ...sampled, cachePolicy: { allowNonZeroTemperature: true } };
      assert.equal((await cache.store(allowed, 'poem')).stored, true);
      assert.equal((await cache.lookup(allowed))?.value, 'poem');
      assert.equal(
        await cache.lookup(sampled),
        null,
        'a request that does not allow sampling never reads it',
      );
      assert.deepEqual(await cache.store({ ...allowed, cachePolicy: { bypass: true } }, 'x'), {
        stored: false,
        reason: 'bypass',
      });
    });

    it('serves a paraphrase as a semantic hit, and never a near miss', async () => {
      const cache = await open();
      await cache.store(request('t1', 'How can I get a refund within 14 days of purchase?'), 'refund-14');
      const hit = await cache.lookup(request('t1', 'how can i get a refund within 14 days of my purchase'));
      assert.equal(hit?.kind, 'semantic');
      assert.equal(hit?.value, 'refund-14');
      assert.ok((hit?.similarity ?? 0) > 0 && (hit?.similarity ?? 2) <= 1);
      assert.equal(
        await cache.lookup(request('t1', 'How can I get a refund within 30 days of purchase?')),
        null,
      );
      assert.equal(
        await cache.lookup(
          request('t1', 'How can I get a refund within 14 days of my purchase', { maxTokens: 10 }),
        ),
        null,
      );
      assert.equal(
        await cache.lookup({
          ...request('t1', 'how can i get a refund within 14 days of my purchase'),
          cachePolicy: { semantic: false },
        }),
        null,
      );
    });

    it('stops serving answers that cited a changed document, exact and semantic', async () => {
      const cache = await open();
      const cites = request('t1', 'What does the Pro plan cost per month?');
      const other = request('t1', 'Which regions host my data?');
      await cache.store(cites, 'pro-price', { citedDocumentIds: ['pricing', 'plans'] });
      await cache.store(other, 'regions', { citedDocumentIds: ['regions'] });
      await cache.invalidateDocument('t2', 'pricing'); // another tenant's document of the same id
      assert.equal((await cache.lookup(cites))?.value, 'pro-price');
      await cache.invalidateDocument('t1', 'pricing');
      assert.equal(await cache.lookup(cites), null);
      assert.equal(await cache.lookup(request('t1', 'what does the Pro plan cost per month')), null);
      assert.equal((await cache.lookup(other))?.value, 'regions');
      await cache.store(cites, 'new-price', { citedDocumentIds: ['pricing'] });
      assert.equal((await cache.lookup(cites))?.value, 'new-price');
    });

    it('does not bless an answer computed from a document changed during the call', async () => {
      const cache = await open();
      const question = request('t1', 'What is the refund window?');
      const before = await cache.documentGenerations('t1', ['policy']);
      await cache.invalidateDocument('t1', 'policy'); // edited while the model was answering
      await cache.store(question, 'old-window', {
        citedDocumentIds: ['policy'],
        documentGenerations: before,
      });
      assert.equal(await cache.lookup(question), null);
    });

    it('invalidates one tenant without touching another', async () => {
      const cache = await open();
      await cache.store(request('t1', 'What is SSO?'), 'a');
      await cache.store(request('t2', 'What is SSO?'), 'b');
      await cache.invalidateTenant('t1');
      assert.equal(await cache.lookup(request('t1', 'What is SSO?')), null);
      assert.equal(await cache.lookup(request('t1', 'what is SSO')), null);
      assert.equal((await cache.lookup(request('t2', 'What is SSO?')))?.value, 'b');
      await cache.store(request('t1', 'What is SSO?'), 'a2');
      assert.equal((await cache.lookup(request('t1', 'What is SSO?')))?.value, 'a2');
    });

    it('invalidates a prompt version globally or for one tenant', async () => {
      const cache = await open();
      for (const tenant of ['t1', 't2']) {
        await cache.store(request(tenant, 'Summarize the changelog'), `${tenant}-v1`);
        await cache.store(
          request(tenant, 'Summarize the changelog', { promptVersion: 'answer@2' }),
          `${tenant}-v2`,
        );
      }
      await cache.invalidatePromptVersion('answer@1', 't1');
      assert.equal(await cache.lookup(request('t1', 'Summarize the changelog')), null);
      assert.equal((await cache.lookup(request('t2', 'Summarize the changelog')))?.value, 't2-v1');
      await cache.invalidatePromptVersion('answer@2');
      assert.equal(
        await cache.lookup(request('t1', 'Summarize the changelog', { promptVersion: 'answer@2' })),
        null,
      );
      assert.equal(
        await cache.lookup(request('t2', 'Summarize the changelog', { promptVersion: 'answer@2' })),
        null,
      );
      assert.equal((await cache.lookup(request('t2', 'Summarize the changelog')))?.value, 't2-v1');
    });

    it('stops serving an answer after its TTL', async () => {
      const cache = await open();
      const question = request('t1', 'What is the uptime SLA?', { cachePolicy: { ttlMs: 60_000 } });
      await cache.store(question, 'sla');
      clock.advance(59_999);
      assert.equal((await cache.lookup(question))?.value, 'sla');
      clock.advance(1);
      assert.equal(await cache.lookup(question), null);
      assert.equal(await cache.lookup(request('t1', 'what is the uptime SLA')), null);
    });

    it('rejects malformed requests with typed errors', async () => {
      const cache = await open();
      await assert.rejects(cache.lookup(request('', 'q')), { code: 'INVALID_CACHE_KEY' });
      await assert.rejects(cache.store(request('t1', 'q', { messages: [] }), 'x'), {
        code: 'INVALID_CACHE_REQUEST',
      });
      await assert.rejects(cache.store(request('t1', 'q'), undefined as unknown as JsonValue), {
        code: 'INVALID_CACHE_VALUE',
      });
      await assert.rejects(cache.invalidateDocument('t1', ''), { code: 'INVALID_CACHE_KEY' });
    });

    if (capabilities.sharedAcrossInstances) {
      it('honours an invalidation made by another instance (process)', async () => {
        const first = await open();
        const second = await harness.createSibling!(first, clock.now);
        const question = request('t1', 'How many seats does the Team plan include?');
        await first.store(question, 'ten', { citedDocumentIds: ['plans'] });
        assert.equal((await second.lookup(question))?.value, 'ten');
        await second.invalidateDocument('t1', 'plans');
        assert.equal(await first.lookup(question), null);
      });
    }

    it('never serves one tenant an entry of another (randomized, colliding tenant ids and texts)', async () => {
      const cache = await open();
      const random = seededRandom(20261126);
      const tenants = [
        'a',
        'A',
        'a ',
        ' a',
        'a/b',
        'a:b',
        'a|k|b',
        'a%2Fb',
        'ä',
        'a\u0000b',
        'tenant-1',
        'tenant-10',
        '*',
        ...Array.from({ length: 12 }, (_, index) => `t${index}`),
      ];
      const questions = [
        'How do I reset my password?',
        'how do I reset my password',
        'What is the refund policy?',
        'What is the refund policy for annual plans?',
        'Which regions host my data?',
        'How do I export my data?',
        'Is SSO included in the Pro plan?',
        'What is the API rate limit?',
      ];
      const stored = new Map<string, string>();
      for (let round = 0; round < 150; round++) {
        const tenant = tenants[Math.floor(random() * tenants.length)] as string;
        const question = questions[Math.floor(random() * questions.length)] as string;
        const answer = `${JSON.stringify(tenant)}=>${question}`;
        await cache.store(request(tenant, question), { tenant, answer });
        stored.set(`${tenant}\u0001${question}`, answer);
      }
      let hits = 0;
      for (const tenant of tenants) {
        for (const question of [
          ...questions,
          ...questions.map((text) => text.toLowerCase().replace('?', '')),
        ]) {
          const hit = await cache.lookup(request(tenant, question));
          if (hit === null) continue;
          hits++;
          assert.equal(
            (hit.value as { tenant: string }).tenant,
            tenant,
            `tenant ${JSON.stringify(tenant)} got another tenant's answer`,
          );
        }
      }
      assert.ok(
        hits >= stored.size,
        `expected every stored answer to be found by its own tenant (${hits} < ${stored.size})`,
      );
    });
  });
}
