import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { IdentifiedEntity } from './base';
import { Tenant } from './tenant.entity';

/**
 * An API key of a tenant. Only its SHA-256 (`keyHash`, unique) and its first characters (`prefix`,
 * for display) are stored; the plaintext is shown once at creation (see `generateApiKey`).
 * A key is valid while `revokedAt` is null.
 */
@Entity({ name: 'api_keys' })
export class ApiKey extends IdentifiedEntity {
  @Index('idx_api_keys_tenant_id')
  @Column({ type: 'uuid' })
  tenantId!: string;

  /** Not loaded unless asked for; deleting the tenant deletes this row. */
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_api_keys_tenant_id' })
  tenant?: Tenant;

  @Index('idx_api_keys_prefix')
  @Column({ type: 'varchar', length: 32 })
  prefix!: string;

  @Index('uq_api_keys_key_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  keyHash!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  /** This key's own monthly LLM budget in USD, beside its tenant's; null: none. */
  @Column({ type: 'double precision', nullable: true })
  monthlyBudgetUsd!: number | null;

  @CreateDateColumn()
  createdAt!: Date;

  @Column({ type: Date, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;
}
