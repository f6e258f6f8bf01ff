const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids stored in uuid columns: anything else cannot exist, and PostgreSQL would reject the query. */
export const isUuid = (value: string): boolean => UUID.test(value);
