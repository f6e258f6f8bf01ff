import { analyze } from './analyzer';
import { Bm25Index, queryTermWeights } from './bm25-index';
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

  it('counts a word repeated in the query as many times (bag of words), and weighted terms multiply scores', () => {
    const index = new Bm25Index();
    index.add('heat', 'heat transfer');
    index.add('wing', 'wing flutter');
    index.add('other', 'nozzle jet');
    // Both documents match one query word each with the same idf and length: the repeated word wins.
    expect(index.search('wing heat heat', 10).map((hit) => hit.id)).toEqual(['heat', 'wing']);
    expect(index.search('wing wing heat', 10).map((hit) => hit.id)).toEqual(['wing', 'heat']);
    expect(queryTermWeights('Wings of the wing, heat')).toEqual([
      { term: 'wing', weight: 2 },
      { term: 'heat', weight: 1 },
    ]);
    const once = index.searchTerms([{ term: 'heat', weight: 1 }], 10);
    const thrice = index.searchTerms([{ term: 'heat', weight: 3 }], 10);
    expect(thrice[0]?.score).toBeCloseTo(3 * (once[0]?.score as number), 10);
    expect(index.search('wing heat heat', 10)[0]?.score).toBeCloseTo(2 * (once[0]?.score as number), 10);
  });
});
