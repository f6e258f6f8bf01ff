import { Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { IdentifiedEntity, type JsonObject } from './base';
import { Document } from './document.entity';
import { Tenant } from './tenant.entity';

/**
 * A piece of a document as indexed for retrieval. `(tenantId, documentId, contentHash)` is unique,
 * so re-ingesting a document can keep the chunks whose text did not change and insert only the new.
 */
@Entity({ name: 'chunks' })
@Unique('uq_chunks_tenant_document_hash', ['tenantId', 'documentId', 'contentHash'])
@Index('idx_chunks_document_id_ordinal', ['documentId', 'ordinal'])
export class Chunk extends IdentifiedEntity {
  @Index('idx_chunks_tenant_id')
  @Column({ type: 'uuid' })
  tenantId!: string;

  /** Not loaded unless asked for; deleting the tenant deletes this row. */
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_chunks_tenant_id' })
  tenant?: Tenant;

  @Column({ type: 'uuid' })
  documentId!: string;

  /** Not loaded unless asked for; deleting the document deletes this row. */
  @ManyToOne(() => Document, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'document_id', foreignKeyConstraintName: 'fk_chunks_document_id' })
  document?: Document;

  /** Position in the document, from 0. */
  @Column({ type: 'integer' })
  ordinal!: number;

  /** SHA-256 (hex) of `text`. */
  @Column({ type: 'varchar', length: 64 })
  contentHash!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'integer' })
  tokenCount!: number;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: JsonObject;
}
