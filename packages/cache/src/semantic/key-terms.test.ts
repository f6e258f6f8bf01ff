import { compareKeyTerms, extractKeyTerms } from './key-terms';

const differ = (left: string, right: string) =>
  compareKeyTerms(extractKeyTerms(left), extractKeyTerms(right));

describe('key-term guard', () => {
  it.each([
    ['How do I reset my password?', 'What is the way to reset a forgotten password?'],
    ['Can I get a refund within 14 days?', 'Is a refund possible within 14 days?'],
    ['How do I connect Slack to Acme?', 'What is the way to integrate Acme with Slack?'],
    ['Does the Pro plan include SSO?', 'Is SSO part of the Pro plan?'],
    ["Why can't I log in?", 'Why am I unable to log in?'],
    ['What happened in March 2020?', 'What were the events of March 2020?'],
    ['What is the rate limit of the Search API?', 'Rate limit for the search API'],
  ])('lets paraphrases through: %s / %s', (left, right) => {
    expect(differ(left, right)).toBeNull();
  });

  it.each([
    ['Can I get a refund within 14 days?', 'Can I get a refund within 30 days?', 'number'],
    ['Is the limit 1,000 requests?', 'Is the limit 10,000 requests?', 'number'],
    ['What is the price for two seats?', 'What is the price for three seats?', 'number'],
    ['Is the office open on Monday?', 'Is the office open on Sunday?', 'date'],
    ['What were sales in March?', 'What were sales in June?', 'date'],
    ['What is due tomorrow?', 'What is due today?', 'date'],
    ['What changed last year?', 'What changed next year?', 'date'],
    ['Does the Pro plan include SSO?', 'Does the Pro plan not include SSO?', 'negation'],
    ['Can I cancel with a refund?', 'Can I cancel without a refund?', 'negation'],
    ['How do I connect Slack to Acme?', 'How do I connect Teams to Acme?', 'entity'],
    ['What is the capital of France?', 'What is the capital of Germany?', 'entity'],
    ['Is gpt-4o supported?', 'Is gpt-4o-mini supported?', 'entity'],
    ['Deploy to us-east-1', 'Deploy to eu-west-1', 'entity'],
    ['How do I upload a file?', 'How do I download a file?', 'opposite'],
    ['How do I enable two-factor login?', 'How do I disable two-factor login?', 'opposite'],
  ])('rejects near misses: %s / %s (%s)', (left, right, kind) => {
    expect(differ(left, right)).toBe(kind);
  });

  it('reads May as a month only when it is capitalised mid-sentence', () => {
    expect(extractKeyTerms('May I change my plan?').dates).toEqual([]);
    expect(extractKeyTerms('What launched in May?').dates).toEqual(['may']);
  });
});

describe('question type', () => {
  it('does not answer a why-question with a how-answer', () => {
    expect(differ('Why does the deployment roll back?', 'How do I roll back a deployment?')).toBe('question');
    expect(differ('Why was I logged out?', 'Why did I get logged out?')).toBeNull();
    expect(
      differ('How many planets are in the Solar System?', 'What is the largest planet in the Solar System?'),
    ).toBe('question');
  });
});

describe('question word, units and prefixed opposites', () => {
  it.each([
    ['When is my subscription renewed?', 'Where is my subscription renewed?'],
    ['Who can see my documents?', 'How can I see my documents?'],
    ['How long is the trial?', 'How often is the trial?'],
    ['What time does the sale start?', 'Where does the sale start?'],
  ])('refuses a change of question word: %s / %s', (left, right) => {
    expect(differ(left, right)).toBe('question');
  });

  it('reads the main question word, not a clause that opens with its own subject', () => {
    expect(
      differ(
        'When I upload a file, how long until I can search it?',
        'How long after uploading can I search?',
      ),
    ).toBeNull();
    expect(differ('How much does the Pro plan cost?', 'What is the price of the Pro plan?')).toBeNull();
  });

  it('compares units, in order', () => {
    expect(differ('Is the limit 10 MB?', 'Is the limit 10 GB?')).not.toBeNull();
    expect(differ('Does it time out after 30 seconds?', 'Does it time out after 30 minutes?')).toBe('unit');
    expect(differ('How far is 10 km in miles?', 'How far is 10 miles in km?')).toBe('unit');
    expect(differ('When did the war end?', 'In what year did the war end?')).toBeNull();
  });

  it('sees un-/dis-/in- opposites and apostrophe-less negations', () => {
    expect(differ('How do I archive a project?', 'How do I unarchive a project?')).toBe('opposite');
    expect(differ('How do I connect my calendar?', 'How do I disconnect my calendar?')).toBe('opposite');
    expect(differ('why cant i log in', 'why can i log in')).toBe('negation');
  });
});
