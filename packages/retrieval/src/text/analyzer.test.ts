import { analyze } from './analyzer';
import { Bm25Index } from './bm25-index';
import { porterStem } from './porter-stemmer';

describe('analyzer', () => {
  it('stems like Porter', () => {
    const cases: Record<string, string> = {
      caresses: 'caress',
      ponies: 'poni',
      cats: 'cat',
      agreed: 'agre',
      plastered: 'plaster',
      motoring: 'motor',
      hopping: 'hop',
      filing: 'file',
      happy: 'happi',
      relational: 'relat',
      conditional: 'condit',
      generalization: 'gener',
      hopeful: 'hope',
      goodness: 'good',
      adjustment: 'adjust',
      controlling: 'control',
      connections: 'connect',
      effective: 'effect',
    };
    for (const [word, stem] of Object.entries(cases)) expect([word, porterStem(word)]).toEqual([word, stem]);
  });

  it('drops stop words and splits on punctuation', () => {
    expect(analyze('The flow, of AIR over wings!').map((term) => term.term)).toEqual([
      'flow',
      'air',
      'over',
      'wing',
    ]);
  });
});

describe('Bm25Index', () => {
  it('ranks rarer and more frequent matches higher, and replaces re-added ids', () => {
    const index = new Bm25Index();
    index.add('1', 'shock wave shock wave boundary');
    index.add('2', 'boundary layer');
    index.add('3', 'wave');
    expect(index.search('shock', 10).map((hit) => hit.id)).toEqual(['1']);
    expect(index.search('boundary shock', 10)[0]?.id).toBe('1');
    index.add('1', 'nothing relevant');
    expect(index.search('shock', 10)).toEqual([]);
    index.remove('2');
    expect(index.search('boundary', 10)).toEqual([]);
    expect(index.size).toBe(2);
  });
});
