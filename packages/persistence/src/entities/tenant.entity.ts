import { Column, CreateDateColumn, Entity, UpdateDateColumn } from 'typeorm';
import { IdentifiedEntity } from './base';

export type TenantStatus = 'active' | 'suspended' | 'deleted';

/** A customer. Every other business row belongs to one, and is deleted with it (ON DELETE CASCADE). */
@Entity({ name: 'tenants' })
export class Tenant extends IdentifiedEntity {
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: TenantStatus;

  /** Spend limit per UTC day, in USD; `null` = no limit. */
  @Column({ type: 'double precision', nullable: true })
  dailyBudgetUsd!: number | null;

  /** Spend limit per calendar month (UTC), in USD; `null` = no limit. */
  @Column({ type: 'double precision', nullable: true })
  monthlyBudgetUsd!: number | null;

  /** Requests per minute across the tenant's keys; `null` = the server's default. */
  @Column({ type: 'integer', nullable: true })
  rateLimitPerMinute!: number | null;

  /** LLM tokens per minute across the tenant's calls (prompt + output reserve); `null` = the server's default. */
  @Column({ type: 'integer', nullable: true })
  tokensPerMinute!: number | null;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
