/**
 * What a benchmark scenario is. A scenario measures its subject AND a baseline in the same run
 * (raw BullMQ, a direct provider call, exact search) and reports ratios: absolute times on a
 * shared 2-core machine are noise, ratios measured side by side are not.
 */
export interface ScenarioContext {
  /** `--quick`: the whole scenario must finish within 60 seconds on 2 cores. */
  readonly quick: boolean;
  /** Remaining command-line flags, e.g. `--dataset DIR` → `{ dataset: 'DIR' }`. */
  readonly flags: Readonly<Record<string, string | boolean>>;
  /** Prints a progress line (to stderr, so stdout stays the report). */
  log(line: string): void;
  /** Prints a titled, aligned table to stdout. */
  table(title: string, rows: ReadonlyArray<Record<string, string | number>>): void;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Returns the scenario's metrics under the names its issue gives. */
  run(context: ScenarioContext): Promise<Record<string, number>>;
}
