import { parseReferenceBm25 } from './eval-retrieval';

describe('parseReferenceBm25', () => {
  it('takes the bold nDCG@10 row of the README table, with its recall and MRR', () => {
    const readme = [
      '## Reference BM25',
      'Some text.',
      '',
      '| setting | nDCG@10 | recall@100 | MRR@10 |',
      '|---|---|---|---|',
      '| k1=0.9, b=0.4, Porter stemming | **0.4662** | 0.6345 | 0.6824 |',
      '| k1=1.2, b=0.75, Porter stemming | 0.4753 | 0.6461 | 0.7102 |',
    ].join('\n');
    expect(parseReferenceBm25(readme)).toEqual({
      setting: 'k1=0.9, b=0.4, Porter stemming',
      'ndcg@10': 0.4662,
      'recall@100': 0.6345,
      'mrr@10': 0.6824,
    });
  });

  it('ignores tables without nDCG@10 and READMEs without a bold figure', () => {
    expect(parseReferenceBm25('| file | contents |\n|---|---|\n| `a` | **1** |')).toBeUndefined();
    expect(parseReferenceBm25('| setting | nDCG@10 |\n|---|---|\n| x | 0.5 |')).toBeUndefined();
  });
});
