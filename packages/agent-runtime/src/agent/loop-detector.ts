import { canonicalJson, hashJson } from '../internal/json';

/** What loop detection remembers between steps (part of the checkpoint). */
export interface LoopState {
  /** Signature (`tool + canonical arguments`, hashed) → times asked. */
  readonly calls: Readonly<Record<string, number>>;
  /** Hashes of every tool result seen so far. */
  readonly seen: readonly string[];
  readonly stepsWithoutProgress: number;
}

export const EMPTY_LOOP_STATE: LoopState = { calls: {}, seen: [], stepsWithoutProgress: 0 };

const MAX_REMEMBERED_RESULTS = 2_000;

export function callSignature(toolName: string, args: unknown): string {
  return hashJson(`${toolName}\u0000${canonicalJson(args)}`);
}

/**
 * Counts the calls of one model turn. Returns the new state and the first call that reached
 * `maxRepeated` identical requests (the run stops before executing it), if any.
 */
export function countCalls(
  state: LoopState,
  calls: readonly { readonly name: string; readonly args: unknown }[],
  maxRepeated: number,
): { state: LoopState; repeated: { name: string; times: number } | undefined } {
  const counts: Record<string, number> = { ...state.calls };
  let repeated: { name: string; times: number } | undefined;
  for (const call of calls) {
    const signature = callSignature(call.name, call.args);
    const times = (counts[signature] ?? 0) + 1;
    counts[signature] = times;
    if (repeated === undefined && times >= maxRepeated) repeated = { name: call.name, times };
  }
  return { state: { ...state, calls: counts }, repeated };
}

/**
 * Records the results of one step. A step whose every result was already seen (the same answers
 * again) brings no new information; `maxWithoutProgress` such steps in a row is a loop.
 */
export function recordResults(
  state: LoopState,
  results: readonly unknown[],
  maxWithoutProgress: number,
): { state: LoopState; stalled: boolean } {
  if (results.length === 0) return { state, stalled: false };
  const seen = new Set(state.seen);
  let fresh = false;
  for (const result of results) {
    const hash = hashJson(result);
    if (!seen.has(hash)) {
      fresh = true;
      seen.add(hash);
    }
  }
  const stepsWithoutProgress = fresh ? 0 : state.stepsWithoutProgress + 1;
  const remembered = [...seen].slice(-MAX_REMEMBERED_RESULTS);
  return {
    state: { calls: state.calls, seen: remembered, stepsWithoutProgress },
    stalled: stepsWithoutProgress >= maxWithoutProgress,
  };
}
