import { InvalidLlmRequestError } from '../errors';
import { StructuredOutputValidator } from './structured-output';

describe('StructuredOutputValidator', () => {
  const validator = new StructuredOutputValidator();
  const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };

  it('accepts what matches, in a Markdown fence too, and names what does not', () => {
    const format = { type: 'json_schema', name: 's', schema } as const;
    expect(validator.check(format, '{"n": 3}')).toEqual({ ok: true });
    expect(validator.check(format, '```json\n{"n": 3}\n```')).toEqual({ ok: true });
    expect(validator.check(format, '{"n": "three"}')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('integer'),
    });
    expect(validator.check(format, 'n is 3')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not JSON'),
    });
    expect(validator.check({ type: 'json' }, '[1]')).toMatchObject({ ok: false });
    expect(validator.check({ type: 'text' }, 'anything')).toBeUndefined();
  });

  it('refuses a schema it cannot compile before any call, as the caller’s error', () => {
    expect(() =>
      validator.prepare({ type: 'json_schema', name: 'bad', schema: { type: 'object', properties: 3 } }),
    ).toThrow(InvalidLlmRequestError);
  });
});
