import { createInMemoryTelemetry, type InMemoryTelemetry } from '@ai-scale/telemetry/testing';
import { ATTR, METRIC, SPAN } from '@ai-scale/telemetry';
import { LocalEmbedder } from '../embedders/local-embedder';
import { MemoryVectorStore } from '../adapters/memory';
import { RetrievalService } from './retrieval-service';

describe('RetrievalService telemetry', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => {
    telemetry = createInMemoryTelemetry();
  });
  afterAll(() => telemetry.shutdown());

  it('records search duration per mode, empty results, ingest counts and spans', async () => {
    const embedder = new LocalEmbedder({ dimensions: 32 });
    const service = new RetrievalService({ embedder, store: new MemoryVectorStore({ dimensions: 32 }) });
    await service.ingestDocument({ tenantId: 't', documentId: 'd', text: 'Supersonic flow over a cone.' });
    await service.search({ tenantId: 't', query: 'cone', mode: 'keyword' });
    await service.search({ tenantId: 't', query: 'zzzz', mode: 'keyword' });
    await service.search({ tenantId: 't', query: 'cone', mode: 'hybrid' });

    expect(
      await telemetry.metricValue(METRIC.retrievalSearchDuration, { [ATTR.searchMode]: 'keyword' }),
    ).toBe(2);
    expect(await telemetry.metricValue(METRIC.retrievalSearchDuration, { [ATTR.searchMode]: 'hybrid' })).toBe(
      1,
    );
    expect(await telemetry.metricValue(METRIC.retrievalResultsEmpty, { [ATTR.searchMode]: 'keyword' })).toBe(
      1,
    );
    expect(await telemetry.metricValue(METRIC.retrievalIngestChunks, { [ATTR.chunkResult]: 'added' })).toBe(
      1,
    );
    const [search] = telemetry.spansNamed(SPAN.retrievalSearch);
    expect(search?.attributes[ATTR.tenantId]).toBe('t');
    expect(search?.attributes[ATTR.vectorStore]).toBe('memory');
    expect(telemetry.spansNamed(SPAN.retrievalIngest)).toHaveLength(1);
  });
});
