import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { IdentifiedEntity } from './base';
import { Tenant } from './tenant.entity';

export type CacheKind = 'exact' | 'semantic';

/** `provider`: the provider's reported usage; `counted`: the gateway's count (a stream that ended early or sent no usage). */
export type UsageSource = 'provider' | 'counted';

/**
 * What one LLM call (or one cache hit that replaced it) cost a tenant. Budgets sum `costUsd` over
 * `(tenantId, day)`; a cache hit has `cacheKind` set, zero cost and the tokens/cost it saved.
 */
@Entity({ name: 'usage_records' })
@Index('idx_usage_records_tenant_id_day', ['tenantId', 'day'])
export class UsageRecord extends IdentifiedEntity {
  @Column({ type: 'uuid' })
  tenantId!: string;

  /** Not loaded unless asked for; deleting the tenant deletes this row. */
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_usage_records_tenant_id' })
  tenant?: Tenant;

  @Index('idx_usage_records_request_id')
  @Column({ type: 'varchar', length: 64 })
  requestId!: string;

  /** UTC day, `YYYY-MM-DD`. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ type: 'varchar', length: 128 })
  model!: string;

  @Column({ type: 'integer', default: 0 })
  promptTokens!: number;

  @Column({ type: 'integer', default: 0 })
  completionTokens!: number;

  @Column({ type: 'integer', default: 0 })
  cachedTokens!: number;

  /** Prompt tokens written to the provider's prompt cache (priced at the cache-write price). */
  @Column({ type: 'integer', default: 0 })
  cacheWriteTokens!: number;

  @Column({ type: 'double precision', default: 0 })
  costUsd!: number;

  @Column({ type: 'varchar', length: 16, default: 'provider' })
  usageSource!: UsageSource;

  @Column({ type: 'varchar', length: 16, nullable: true })
  cacheKind!: CacheKind | null;

  @Column({ type: 'integer', default: 0 })
  savedTokens!: number;

  @Column({ type: 'double precision', default: 0 })
  savedCostUsd!: number;

  @CreateDateColumn()
  createdAt!: Date;
}
