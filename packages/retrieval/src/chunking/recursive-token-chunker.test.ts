import { RecursiveTokenChunker } from './recursive-token-chunker';
import { tiktokenCounter } from './token-counter';

const counter = tiktokenCounter();
const paragraph = (topic: string, sentences: number): string =>
  Array.from(
    { length: sentences },
    (_, i) => `The ${topic} sentence number ${i} explains one more detail about ${topic}.`,
  ).join(' ');

describe('RecursiveTokenChunker', () => {
  it('cuts by tokens, not characters, and keeps every chunk within the budget', () => {
    const chunker = new RecursiveTokenChunker({ chunkSize: 64, chunkOverlap: 8 });
    const text = [paragraph('wing', 20), paragraph('engine', 15), 'x'.repeat(2000)].join('\n\n');
    const chunks = chunker.chunk(text);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBe(counter.count(chunk.text));
      expect(chunk.tokenCount).toBeLessThanOrEqual(64 + 2);
      expect(chunk.text.length).toBeGreaterThan(0);
    }
    expect(chunks.map((chunk) => chunk.ordinal)).toEqual(chunks.map((_, i) => i));
  });

  it('overlaps consecutive chunks of one section', () => {
    const chunks = new RecursiveTokenChunker({ chunkSize: 40, chunkOverlap: 20 }).chunk(
      paragraph('flow', 12),
    );
    const first = chunks[0]?.text ?? '';
    const second = chunks[1]?.text ?? '';
    const lastSentence = first.split('. ').pop() as string;
    expect(second.startsWith(lastSentence.replace(/\.$/, ''))).toBe(true);
  });

  it('is deterministic and hashes the exact chunk text', () => {
    const chunker = new RecursiveTokenChunker({ chunkSize: 32, chunkOverlap: 0 });
    const text = paragraph('shock', 10);
    expect(chunker.chunk(text)).toEqual(chunker.chunk(text));
    const [first] = chunker.chunk(text);
    expect(first?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(chunker.chunk('  \n ')).toEqual([]);
  });

  it('keeps the markdown heading path, ignores # in code fences, and isolates sections from edits', () => {
    const markdown = [
      '# Guide',
      'Intro text.',
      '## Install',
      'Run the installer.',
      '```sh',
      '# not a heading',
      '```',
      '### Linux',
      'Use the package manager.',
      '## Usage',
      'Call the API.',
    ].join('\n');
    const chunker = new RecursiveTokenChunker({ chunkSize: 64, chunkOverlap: 0, contentType: 'markdown' });
    const chunks = chunker.chunk(markdown);
    expect(chunks.map((chunk) => chunk.metadata.headingPath)).toEqual([
      ['Guide'],
      ['Guide', 'Install'],
      ['Guide', 'Install', 'Linux'],
      ['Guide', 'Usage'],
    ]);
    expect(chunks[1]?.text).toContain('# not a heading');
    const edited = chunker.chunk(markdown.replace('Call the API.', 'Call the HTTP API.'));
    expect(edited.slice(0, 3).map((chunk) => chunk.contentHash)).toEqual(
      chunks.slice(0, 3).map((chunk) => chunk.contentHash),
    );
    expect(edited[3]?.contentHash).not.toBe(chunks[3]?.contentHash);
  });

  it('rejects impossible sizes', () => {
    expect(() => new RecursiveTokenChunker({ chunkSize: 32, chunkOverlap: 32 })).toThrow(/chunkOverlap/);
    expect(() => new RecursiveTokenChunker().chunk('text', { chunkSize: 2 })).toThrow(/chunkSize/);
  });
});
