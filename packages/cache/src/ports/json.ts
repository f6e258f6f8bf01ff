/** What a cache stores: plain JSON. Values are copied in and out (serialised), never shared. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
