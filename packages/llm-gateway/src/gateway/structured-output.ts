import Ajv, { type ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { InvalidLlmRequestError } from '../errors/invalid-llm-request.error';
import type { ChatMessage, ResponseFormat } from '../ports/llm-provider';

export type StructuredVerdict = { readonly ok: true } | { readonly ok: false; readonly problem: string };

/**
 * Checks an answer against the request's `responseFormat`: `json` must parse to an object,
 * `json_schema` must parse and validate (ajv, JSON Schema draft-07/2019 keywords; unknown keywords
 * ignored, as providers do). Compiled schemas are kept by their text, so a schema sent on every
 * request is compiled once.
 */
export class StructuredOutputValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new LRUCache<string, ValidateFunction>({ max: 500 });

  /** Compiles the schema before any token is bought: a schema ajv cannot compile is the caller's error. */
  prepare(format: ResponseFormat | undefined): void {
    if (format?.type === 'json_schema') this.validatorFor(format.schema);
  }

  check(format: ResponseFormat | undefined, content: string): StructuredVerdict | undefined {
    if (format === undefined || format.type === 'text') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(stripFence(content));
    } catch (error) {
      return { ok: false, problem: `the answer is not JSON (${(error as Error).message})` };
    }
    if (format.type === 'json') {
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? { ok: true }
        : { ok: false, problem: 'the answer is JSON but not an object' };
    }
    const validate = this.validatorFor(format.schema);
    if (validate(parsed)) return { ok: true };
    return { ok: false, problem: this.ajv.errorsText(validate.errors, { dataVar: 'answer' }) };
  }

  private validatorFor(schema: Readonly<Record<string, unknown>>): ValidateFunction {
    const key = JSON.stringify(schema);
    const known = this.compiled.get(key);
    if (known) return known;
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(schema as Record<string, unknown>);
    } catch (error) {
      throw new InvalidLlmRequestError({
        message: `responseFormat.schema is not a valid JSON Schema: ${(error as Error).message}`,
        details: { field: 'response_format' },
      });
    }
    this.compiled.set(key, validate);
    return validate;
  }
}

/** Models often wrap JSON in a Markdown fence; the content inside is what is checked. */
function stripFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(content);
  return fenced ? (fenced[1] ?? '') : content;
}

/** The turn that asks the model to repair its answer: what was wrong, and what to send instead. */
export function repairMessages(
  messages: readonly ChatMessage[],
  answer: string,
  problem: string,
): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: answer },
    {
      role: 'user',
      content: `Your previous answer does not match the required JSON format: ${problem}. Reply again with only the corrected JSON, no other text.`,
    },
  ];
}
