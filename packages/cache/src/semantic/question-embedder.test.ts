import { QuestionEmbedder } from './question-embedder';
import { questionTerms, stemWord } from './question-representation';

const cosine = (left: number[], right: number[]) =>
  left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

describe('QuestionEmbedder', () => {
  const embedder = new QuestionEmbedder();

  it('drops how a question is asked and folds synonyms', () => {
    expect(questionTerms('How can I update my profile picture?')).toEqual(
      questionTerms('I want to change my profile photo, how do I do that?'),
    );
    expect(questionTerms("Hi, what's the way to log in? Thanks")).toEqual(['login']);
  });

  it('drops the question word (the key-term guard compares it)', () => {
    expect(questionTerms('Who can see my documents?')).toEqual(questionTerms('How can I see my documents?'));
  });

  it('keeps numbers, names and negations as terms', () => {
    expect(questionTerms("Why can't I add 5 users to Slack?")).toEqual([
      'not',
      'add',
      '5',
      'member',
      'slack',
    ]);
  });

  it('stems plurals and tenses without mangling short words', () => {
    expect(['uploads', 'uploaded', 'uploading'].map(stemWord)).toEqual(['upload', 'upload', 'upload']);
    expect(stemWord('speed')).toBe('speed');
    expect(stemWord('access')).toBe('access');
  });

  it('is deterministic, normalised, and names its settings in its id', async () => {
    const [first, second] = await embedder.embed([
      'How do I reset my password?',
      'How do I reset my password?',
    ]);
    expect(first).toEqual(second);
    expect(cosine(first as number[], first as number[])).toBeCloseTo(1, 10);
    expect(first).toHaveLength(512);
    expect(new QuestionEmbedder({ dimensions: 64 }).id).not.toBe(embedder.id);
    expect(() => new QuestionEmbedder({ dimensions: 3 })).toThrow();
  });

  it('puts paraphrases near and other questions far', () => {
    const near = cosine(
      embedder.embedOne('If I cancel, do I lose my data?'),
      embedder.embedOne('Do I lose my data if I cancel?'),
    );
    const far = cosine(
      embedder.embedOne('How do I reset my password?'),
      embedder.embedOne('What is the API rate limit?'),
    );
    expect(near).toBeGreaterThan(0.9);
    expect(far).toBeLessThan(0.3);
  });
});
