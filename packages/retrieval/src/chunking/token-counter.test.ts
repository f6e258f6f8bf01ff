import type { Tiktoken } from 'js-tiktoken' with { 'resolution-mode': 'import' };
import { tiktokenCounter } from './token-counter';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getEncoding } = require('js-tiktoken') as { getEncoding(name: 'cl100k_base'): Tiktoken };

describe('tiktokenCounter', () => {
  it('counts exactly like js-tiktoken cl100k_base encode()', () => {
    const encoding = getEncoding('cl100k_base');
    const counter = tiktokenCounter();
    const texts = [
      'The boundary-layer transition at Mach 2.5 (see fig. 3) occurs at Re = 1,234,567.',
      "It's what they'd've done — naïve café, 東京, emoji 🚀🚀, tabs\tand\n\nnewlines\r\n  indented",
      '```ts\nconst x = await fetch("https://example.com/a?b=c");\n```\n# Heading\n- item 1\n- item 2',
      '   leading and trailing spaces   ',
      '',
    ];
    for (const text of texts)
      expect([text, counter.count(text)]).toEqual([text, encoding.encode(text).length]);
  });

  it('counts special-token lookalikes as plain text instead of throwing', () => {
    expect(tiktokenCounter().count('<|endoftext|>')).toBeGreaterThan(1);
  });
});
