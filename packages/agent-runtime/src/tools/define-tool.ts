import { z } from 'zod';
import { InvalidAgentDefinitionError } from '../errors';
import type { JsonSchemaObject, JsonValue } from '../ports/json';
import type { AgentToolSpec } from '../ports/agent-model';
import type { AnyTool, AwaitInput, Tool } from '../ports/tool';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Checks a tool definition and returns it typed; throws `InvalidAgentDefinitionError` when malformed. */
export function defineTool<TInput, TOutput extends JsonValue | AwaitInput>(
  tool: Tool<TInput, TOutput>,
): Tool<TInput, TOutput> {
  if (!TOOL_NAME.test(tool.name)) {
    throw new InvalidAgentDefinitionError({
      message: `tool name "${tool.name}" must match ${TOOL_NAME.source}`,
    });
  }
  if (tool.version.trim() === '') {
    throw new InvalidAgentDefinitionError({ message: `tool "${tool.name}" needs a version` });
  }
  if (tool.timeoutMs !== undefined && !(tool.timeoutMs > 0)) {
    throw new InvalidAgentDefinitionError({ message: `tool "${tool.name}" timeoutMs must be positive` });
  }
  if (
    tool.retry !== undefined &&
    !(Number.isInteger(tool.retry.maxAttempts) && tool.retry.maxAttempts >= 1)
  ) {
    throw new InvalidAgentDefinitionError({
      message: `tool "${tool.name}" retry.maxAttempts must be an integer >= 1`,
    });
  }
  return tool;
}

const specs = new WeakMap<AnyTool, AgentToolSpec>();

/** The JSON Schema the model sees for a tool's arguments (computed once per tool: it is sent every step). */
export function toolSpec(tool: AnyTool): AgentToolSpec {
  const cached = specs.get(tool);
  if (cached) return cached;
  const schema = z.toJSONSchema(tool.input, { unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  const spec: AgentToolSpec = {
    name: tool.name,
    description: tool.description,
    parameters: schema as JsonSchemaObject,
  };
  specs.set(tool, spec);
  return spec;
}

export type ParsedArguments =
  | { readonly ok: true; readonly value: unknown; readonly raw: JsonValue }
  | { readonly ok: false; readonly message: string; readonly raw: JsonValue };

/** Parses the model's raw JSON text and validates it with the tool's schema. */
export function parseToolArguments(tool: AnyTool, rawArguments: string): ParsedArguments {
  let raw: JsonValue;
  try {
    raw = (rawArguments.trim() === '' ? {} : JSON.parse(rawArguments)) as JsonValue;
  } catch (error) {
    return {
      ok: false,
      message: `arguments are not valid JSON: ${(error as Error).message}`,
      raw: rawArguments,
    };
  }
  const parsed = tool.input.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data, raw };
  return { ok: false, message: z.prettifyError(parsed.error), raw };
}
