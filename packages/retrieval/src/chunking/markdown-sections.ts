export interface Section {
  readonly headingPath: readonly string[];
  readonly text: string;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/**
 * Splits markdown into sections at ATX headings (`#`…`######`), ignoring `#` lines inside fenced
 * code blocks. Each section keeps its heading line and the path of enclosing headings.
 */
export function splitMarkdownSections(markdown: string): Section[] {
  const sections: Section[] = [];
  const stack: { level: number; title: string }[] = [];
  let lines: string[] = [];
  let path: readonly string[] = [];
  let fence: string | undefined;
  const flush = (): void => {
    const text = lines.join('\n').trim();
    if (text.length > 0) sections.push({ headingPath: path, text });
    lines = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1] as string;
      if (fence === undefined) fence = marker;
      else if (fence === marker) fence = undefined;
    }
    const heading = fence === undefined ? HEADING.exec(line) : null;
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      while (stack.length > 0 && (stack[stack.length - 1] as { level: number }).level >= level) stack.pop();
      stack.push({ level, title: (heading[2] as string).trim() });
      path = stack.map((entry) => entry.title);
    }
    lines.push(line);
  }
  flush();
  return sections;
}
