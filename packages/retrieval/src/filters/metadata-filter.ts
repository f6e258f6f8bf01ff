import { z } from 'zod';
import type { Metadata, MetadataFilter, MetadataScalar } from '../ports';
import { InvalidFilterError } from '../errors';

const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_DEPTH = 8;
const MAX_VALUES = 1000;

const scalar = z.union([z.string().max(1024), z.number().finite(), z.boolean()]);
const bound = z.union([z.number().finite(), z.string().max(64)]);
const field = z
  .string()
  .regex(FIELD, 'field names are letters, digits and _ (≤ 64, not starting with a digit)');

const filterSchema: z.ZodType<MetadataFilter> = z.lazy(() =>
  z.union([
    z.strictObject({ field, op: z.literal('eq'), value: scalar }),
    z.strictObject({ field, op: z.literal('in'), values: z.array(scalar).min(1).max(MAX_VALUES) }),
    z
      .strictObject({
        field,
        op: z.literal('range'),
        gt: bound.optional(),
        gte: bound.optional(),
        lt: bound.optional(),
        lte: bound.optional(),
      })
      .refine(
        (range) => [range.gt, range.gte, range.lt, range.lte].some((value) => value !== undefined),
        'a range needs a bound',
      ),
    z.strictObject({ and: z.array(filterSchema).min(1) }),
    z.strictObject({ or: z.array(filterSchema).min(1) }),
  ]),
) as z.ZodType<MetadataFilter>;

/**
 * Validates an untrusted filter (e.g. a request body) and returns it typed, or throws
 * `InvalidFilterError` naming what is wrong. Field names are restricted to identifiers so that no
 * store ever has to quote a field name taken from a user; values are free and always escaped.
 */
export function parseMetadataFilter(input: unknown): MetadataFilter {
  // Before the schema, which recurses once per level: a filter nested thousands deep would overflow
  // the stack there (a RangeError, not a refusal). A valid filter is at most an object and an array
  // per `and`/`or` level, plus its leaf and an `in` list.
  if (nestingExceeds(input, 2 * MAX_DEPTH + 2)) {
    throw new InvalidFilterError({ message: `metadata filter nests deeper than ${MAX_DEPTH} levels` });
  }
  const parsed = filterSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidFilterError({
      message: `invalid metadata filter: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
      cause: parsed.error,
    });
  }
  if (depth(parsed.data) > MAX_DEPTH) {
    throw new InvalidFilterError({ message: `metadata filter nests deeper than ${MAX_DEPTH} levels` });
  }
  return parsed.data;
}

/** Whether objects and arrays nest deeper than `limit` in `input` (iterative: any depth is safe). */
function nestingExceeds(input: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[input, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, level] = next;
    if (value === null || typeof value !== 'object') continue;
    if (level + 1 > limit) return true;
    for (const inner of Object.values(value)) pending.push([inner, level + 1]);
  }
  return false;
}

function depth(filter: MetadataFilter): number {
  if ('and' in filter) return 1 + Math.max(...filter.and.map(depth));
  if ('or' in filter) return 1 + Math.max(...filter.or.map(depth));
  return 1;
}

/** The fields a filter mentions (to check them against what a store can filter on). */
export function filterFields(filter: MetadataFilter): string[] {
  if ('and' in filter) return filter.and.flatMap(filterFields);
  if ('or' in filter) return filter.or.flatMap(filterFields);
  return [filter.field];
}

/** Evaluates a filter against one record's fields (the reference semantics for every store). */
export function matchesFilter(filter: MetadataFilter, fields: Metadata): boolean {
  if ('and' in filter) return filter.and.every((inner) => matchesFilter(inner, fields));
  if ('or' in filter) return filter.or.some((inner) => matchesFilter(inner, fields));
  const value = Object.prototype.hasOwnProperty.call(fields, filter.field) ? fields[filter.field] : undefined;
  if (value === undefined) return false;
  switch (filter.op) {
    case 'eq':
      return value === filter.value;
    case 'in':
      return filter.values.some((candidate: MetadataScalar) => candidate === value);
    case 'range':
      return (
        (filter.gt === undefined || compare(value, filter.gt, (a, b) => a > b)) &&
        (filter.gte === undefined || compare(value, filter.gte, (a, b) => a >= b)) &&
        (filter.lt === undefined || compare(value, filter.lt, (a, b) => a < b)) &&
        (filter.lte === undefined || compare(value, filter.lte, (a, b) => a <= b))
      );
  }
}

function compare(
  value: MetadataScalar,
  bound: number | string,
  test: (a: number | string, b: number | string) => boolean,
): boolean {
  if (typeof value !== typeof bound) return false;
  return test(value as number | string, bound);
}
