import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, UpdateDateColumn } from 'typeorm';
import { IdentifiedEntity, type JsonObject, type JsonValue } from './base';
import { Tenant } from './tenant.entity';

export type DocumentStatus = 'pending' | 'processing' | 'ready' | 'failed' | 'deleted';

/** An uploaded document of a tenant and its ingestion state; its chunks are deleted with it. */
@Entity({ name: 'documents' })
@Index('idx_documents_tenant_id_status', ['tenantId', 'status'])
@Index('idx_documents_tenant_id_content_hash', ['tenantId', 'contentHash'])
export class Document extends IdentifiedEntity {
  @Index('idx_documents_tenant_id')
  @Column({ type: 'uuid' })
  tenantId!: string;

  /** Not loaded unless asked for; deleting the tenant deletes this row. */
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_documents_tenant_id' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 512 })
  title!: string;

  @Column({ type: 'varchar', length: 255 })
  mimeType!: string;

  /** Bytes of the original upload (a 32-bit integer column: under 2 GiB). */
  @Column({ type: 'integer' })
  sizeBytes!: number;

  /** SHA-256 (hex) of the original bytes: the same upload twice is recognised. */
  @Column({ type: 'varchar', length: 64 })
  contentHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DocumentStatus;

  /** Why ingestion failed (`{ code, message }`), when `status` is `failed`. */
  @Column({ type: 'jsonb', nullable: true })
  error!: JsonValue | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: JsonObject;

  @Column({ type: 'integer', default: 0 })
  chunkCount!: number;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
