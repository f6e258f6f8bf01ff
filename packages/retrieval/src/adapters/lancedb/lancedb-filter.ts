import type { MetadataFilter, MetadataScalar } from '../../ports';
import { InvalidFilterError } from '../../errors';

export type MetadataFieldType = 'string' | 'number' | 'boolean';

/** Column of a metadata field. Field names are validated identifiers; backticks stop SQL from lowercasing them. */
export function metadataColumn(field: string): string {
  return `m_${field}`;
}

/** A SQL string literal: single quotes doubled, NUL dropped. DataFusion treats backslashes literally. */
export function sqlString(value: string): string {
  return `'${value.replace(/\0/g, '').replace(/'/g, "''")}'`;
}

function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new InvalidFilterError({ message: 'filter numbers must be finite' });
  // Float literal so integer and float columns compare alike.
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/**
 * Translates a validated filter into a LanceDB SQL predicate. Values are always literals built by
 * `sqlString`/`sqlNumber`, never spliced raw; fields map to typed columns declared up front, so a
 * field the table does not have is an `InvalidFilterError`, not a query error. A value of another
 * type than the column (`'2020'` on a number field) matches nothing, as in the memory store.
 */
export function toSqlPredicate(
  filter: MetadataFilter,
  fields: Readonly<Record<string, MetadataFieldType>>,
): string {
  if ('and' in filter) return `(${filter.and.map((inner) => toSqlPredicate(inner, fields)).join(' AND ')})`;
  if ('or' in filter) return `(${filter.or.map((inner) => toSqlPredicate(inner, fields)).join(' OR ')})`;
  const { column, type } = resolve(filter.field, fields);
  const literal = (value: MetadataScalar): string | undefined => {
    if (typeof value !== type) return undefined;
    if (typeof value === 'string') return sqlString(value);
    if (typeof value === 'number') return sqlNumber(value);
    return value ? 'TRUE' : 'FALSE';
  };
  switch (filter.op) {
    case 'eq': {
      const value = literal(filter.value);
      return value === undefined ? 'FALSE' : `(${column} IS NOT NULL AND ${column} = ${value})`;
    }
    case 'in': {
      const values = filter.values.map(literal).filter((value): value is string => value !== undefined);
      return values.length === 0
        ? 'FALSE'
        : `(${column} IS NOT NULL AND ${column} IN (${values.join(', ')}))`;
    }
    case 'range': {
      if (type === 'boolean') return 'FALSE';
      const parts: string[] = [`${column} IS NOT NULL`];
      const bounds: [number | string | undefined, string][] = [
        [filter.gt, '>'],
        [filter.gte, '>='],
        [filter.lt, '<'],
        [filter.lte, '<='],
      ];
      for (const [bound, operator] of bounds) {
        if (bound === undefined) continue;
        const value = literal(bound);
        if (value === undefined) return 'FALSE';
        parts.push(`${column} ${operator} ${value}`);
      }
      return `(${parts.join(' AND ')})`;
    }
  }
}

function resolve(
  field: string,
  fields: Readonly<Record<string, MetadataFieldType>>,
): { column: string; type: MetadataFieldType } {
  if (field === 'documentId') return { column: 'document_id', type: 'string' };
  const type = Object.prototype.hasOwnProperty.call(fields, field) ? fields[field] : undefined;
  if (type === undefined) {
    throw new InvalidFilterError({
      message: `metadata field "${field}" is not filterable in this LanceDB table; declare it in metadataFields (declared: ${Object.keys(fields).join(', ') || 'none'})`,
      details: { field },
    });
  }
  return { column: `\`${metadataColumn(field)}\``, type };
}
