import { randomUUID } from 'node:crypto';
import { BeforeInsert, PrimaryColumn } from 'typeorm';

/**
 * Every row's id is a UUID made in the application (not by the database), so the same code runs on
 * SQLite and PostgreSQL and an id is known before the insert (e.g. to enqueue a job in the same
 * request). It is assigned on `save()` of an entity instance (`repository.create(...)`) when unset.
 */
export abstract class IdentifiedEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @BeforeInsert()
  protected assignId(): void {
    if (!this.id) this.id = randomUUID();
  }
}

/**
 * A value stored in a `jsonb` column (PostgreSQL jsonb; JSON text on SQLite): anything
 * `JSON.stringify` keeps. Typed `unknown` rather than a recursive JSON type, which makes
 * TypeORM's find-option types recurse without end; validate it where it is read.
 */
export type JsonValue = unknown;
/** A JSON object stored in a `jsonb` column. */
export type JsonObject = Record<string, unknown>;
