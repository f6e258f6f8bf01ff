import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';
import { InvalidRequestError } from '../errors';

/** Validates a body, query or param with a zod schema; a violation is a 400 naming the first bad field. */
export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(
    private readonly schema: Schema,
    private readonly where: 'body' | 'query' | 'param' = 'body',
  ) {}

  transform(value: unknown): z.output<Schema> {
    if (value === undefined && this.where === 'body') {
      throw new InvalidRequestError(
        'a JSON request body is required (Content-Type: application/json)',
        'body',
      );
    }
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : this.where;
    throw new InvalidRequestError(`${field}: ${issue?.message ?? 'invalid'}`, field);
  }
}
