import type { ToolChoice, ToolDefinition } from '../ports/llm-provider';

/** The tool a scripted model must call: the one named by `toolChoice`, or the first when `required`. */
export function forcedTool(
  tools: readonly ToolDefinition[] | undefined,
  toolChoice: ToolChoice | undefined,
): ToolDefinition | undefined {
  if (
    !tools ||
    tools.length === 0 ||
    toolChoice === undefined ||
    toolChoice === 'auto' ||
    toolChoice === 'none'
  ) {
    return undefined;
  }
  if (toolChoice === 'required') return tools[0];
  return tools.find((tool) => tool.name === toolChoice.name);
}

/** Splits text into stream-sized pieces (words with their trailing space), concatenating back exactly. */
export function splitForStreaming(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
