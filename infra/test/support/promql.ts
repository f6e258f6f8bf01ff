/**
 * A small PromQL reader, enough to list the series and labels an expression uses. It is not a full
 * parser: it removes string literals, range/offset brackets and Grafana variables, then reads label
 * matchers `{...}`, grouping clauses `by (...)`, `without (...)`, `on (...)`, `ignoring (...)`,
 * `group_left (...)`, `group_right (...)`, and takes every other identifier that is not a function,
 * keyword or number as a series name.
 */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
  'atan2',
]);

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const MATCHERS = /\{([^}]*)\}/g;

export interface PromqlReferences {
  readonly series: string[];
  readonly labels: string[];
  /** Labels used in `{...}` matchers, per series they follow (`''` for a bare `{...}` selector). */
  readonly matchers: ReadonlyArray<{ readonly series: string; readonly label: string }>;
}

export function readPromql(expression: string): PromqlReferences {
  let text = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}/g, 'grafana_variable')
    .replace(/\$[a-zA-Z_]\w*/g, 'grafana_variable')
    .replace(/\[[^\]]*\]/g, ' ');

  const labels = new Set<string>();
  const matchers: Array<{ series: string; label: string }> = [];

  text = text.replace(MATCHERS, (whole, body: string, offset: number) => {
    const before = text.slice(0, offset);
    const series = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(before)?.[1] ?? '';
    for (const match of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) {
      const label = match[1] as string;
      labels.add(label);
      matchers.push({ series, label });
    }
    return ' '.repeat(whole.length);
  });
  text = text.replace(GROUPING, (_whole, _keyword: string, list: string) => {
    for (const label of list.split(',').map((item) => item.trim())) if (label) labels.add(label);
    return ' ';
  });

  const series = new Set<string>();
  for (const match of text.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const start = match.index ?? 0;
    const previous = text[start - 1] ?? '';
    if (/[0-9.]/.test(previous)) continue; // part of a number such as 1e3 or 0.5
    const rest = text.slice(start + word.length);
    if (/^\s*\(/.test(rest)) continue; // function call or aggregation
    if (KEYWORDS.has(word.toLowerCase()) || word === 'grafana_variable') continue;
    series.add(word);
  }
  return { series: [...series], labels: [...labels], matchers };
}
