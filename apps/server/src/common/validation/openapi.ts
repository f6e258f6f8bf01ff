import { z } from 'zod';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonSchema = any;

function toOpenApi(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return nullableUnions(json);
}

/**
 * OpenAPI 3.0's `nullable` only acts next to a `type`, so zod's `{nullable: true, anyOf: [...]}`
 * (a nullable union) would not admit null: move `nullable` onto each typed member instead. An
 * `enum` must list `null` itself to admit it (OpenAPI 3.0.3), so a nullable enum gets it added.
 */
function nullableUnions(node: JsonSchema): JsonSchema {
  if (Array.isArray(node)) return node.map(nullableUnions);
  if (typeof node !== 'object' || node === null) return node;
  const result: Record<string, JsonSchema> = {};
  for (const [key, value] of Object.entries(node)) result[key] = nullableUnions(value);
  const union = result.anyOf !== undefined ? 'anyOf' : result.oneOf !== undefined ? 'oneOf' : undefined;
  if (result.nullable === true && Array.isArray(result.enum) && !result.enum.includes(null))
    result.enum = [...result.enum, null];
  if (result.nullable === true && result.type === undefined && union) {
    delete result.nullable;
    result[union] = (result[union] as JsonSchema[]).map((member) =>
      member.type !== undefined ? { ...member, nullable: true } : member,
    );
  }
  return result;
}

/** The JSON schema of a zod request schema, for `@ApiBody({ schema })`: the docs and the validation never drift. */
export function openApiSchema(schema: z.ZodType): JsonSchema {
  return toOpenApi(schema, 'input');
}

/**
 * The OpenAPI schema of a response body from a zod schema of what the server sends. Objects stay
 * open (no `additionalProperties: false`): a client must accept fields added in a later version.
 */
export function openApiResponseSchema(schema: z.ZodType): JsonSchema {
  return openObjects(toOpenApi(schema, 'output'));
}

function openObjects(node: JsonSchema): JsonSchema {
  if (Array.isArray(node)) return node.map(openObjects);
  if (typeof node !== 'object' || node === null) return node;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    result[key] = openObjects(value);
  }
  return result;
}

/** An ISO 8601 timestamp in a response (documented as `format: date-time`). */
export const timestampSchema = z.string().meta({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' });
