import { InvalidFilterError } from '../errors';
import { toPineconeFilter } from '../adapters/pinecone/pinecone-filter';
import { parseMetadataFilter } from './metadata-filter';

/** A filter nested `levels` deep, parsed from JSON text as a request body would be. */
function nested(levels: number): unknown {
  return JSON.parse(
    `${'{"and":['.repeat(levels)}{"field":"team","op":"eq","value":"billing"}${']}'.repeat(levels)}`,
  );
}

describe('parseMetadataFilter (untrusted input)', () => {
  it('accepts 8 levels of and/or and refuses 9', () => {
    expect(() => parseMetadataFilter(nested(7))).not.toThrow();
    expect(() => parseMetadataFilter(nested(9))).toThrow(InvalidFilterError);
  });

  it('refuses a filter nested thousands deep with InvalidFilterError, not a stack overflow (found by the security review)', () => {
    for (const levels of [5_000, 50_000]) {
      expect(() => parseMetadataFilter(nested(levels))).toThrow(InvalidFilterError);
    }
    // The same depth in a value the schema would refuse anyway.
    const deepValue = JSON.parse(
      `{"field":"a","op":"eq","value":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    );
    expect(() => parseMetadataFilter(deepValue)).toThrow(InvalidFilterError);
  });

  it('refuses field names that are not identifiers: no quoting, operator or path syntax reaches a store', () => {
    for (const field of [
      'a`b',
      "a'b",
      'a b',
      '$or',
      '$where',
      'a.b',
      'a-b',
      '',
      '1a',
      'a'.repeat(65),
      'a\u0000',
    ]) {
      expect(() => parseMetadataFilter({ field, op: 'eq', value: 'x' })).toThrow(InvalidFilterError);
    }
  });

  it('refuses unknown operators and keys, so nothing but the documented shape passes', () => {
    for (const filter of [
      { field: 'a', op: 'like', value: 'x%' },
      { field: 'a', op: 'eq', value: 'x', $where: '1' },
      { field: 'a', op: 'eq', value: { $ne: null } },
      { and: [] },
      { not: { field: 'a', op: 'eq', value: 'x' } },
    ]) {
      expect(() => parseMetadataFilter(filter)).toThrow(InvalidFilterError);
    }
  });

  it('keeps values as data in the Pinecone filter: an operator-looking value is a literal', () => {
    const filter = parseMetadataFilter({ field: 'team', op: 'in', values: ['$ne', '{"$gt":0}'] });
    expect(toPineconeFilter(filter)).toEqual({ team: { $in: ['$ne', '{"$gt":0}'] } });
  });
});
