/** Plain JSON: everything a checkpoint, a tool call record or a run record holds is this. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
/** A JSON Schema object, as `z.toJSONSchema` produces it. */
export type JsonSchemaObject = Readonly<Record<string, unknown>>;
