import { z } from 'zod';

/** The JSON schema of a zod request schema, for `@ApiBody({ schema })`: the docs and the validation never drift. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function openApiSchema(schema: z.ZodType): any {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return json;
}
