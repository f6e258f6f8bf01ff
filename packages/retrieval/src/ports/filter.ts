/** A metadata value a store can filter on. Lists and objects are not filterable. */
export type MetadataScalar = string | number | boolean;

/** Metadata stored with a chunk: flat, scalar values only (so every store can index and filter it). */
export type Metadata = Readonly<Record<string, MetadataScalar>>;

/**
 * A metadata filter. `field` is a metadata key, or the reserved `documentId`.
 * `eq`/`in` compare exactly (no type coercion: `'1'` does not match `1`); `range` bounds are
 * numbers or ISO strings compared as the store compares them; `and`/`or` nest.
 * A record lacking the field never matches a comparison.
 * The tenant is NEVER part of a filter: it is a separate, mandatory argument of every store call.
 */
export type MetadataFilter =
  | { readonly field: string; readonly op: 'eq'; readonly value: MetadataScalar }
  | { readonly field: string; readonly op: 'in'; readonly values: readonly MetadataScalar[] }
  | {
      readonly field: string;
      readonly op: 'range';
      readonly gt?: number | string;
      readonly gte?: number | string;
      readonly lt?: number | string;
      readonly lte?: number | string;
    }
  | { readonly and: readonly MetadataFilter[] }
  | { readonly or: readonly MetadataFilter[] };
