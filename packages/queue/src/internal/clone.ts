/**
 * A deep copy through JSON, exactly what a trip through Redis does, so the memory adapter hands
 * handlers and callers the same kind of value the BullMQ adapter does (plain objects of this realm).
 */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
