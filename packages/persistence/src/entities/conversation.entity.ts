import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, UpdateDateColumn } from 'typeorm';
import { IdentifiedEntity } from './base';
import { Tenant } from './tenant.entity';

/** A chat thread of a tenant; its messages are deleted with it. */
@Entity({ name: 'conversations' })
export class Conversation extends IdentifiedEntity {
  @Index('idx_conversations_tenant_id')
  @Column({ type: 'uuid' })
  tenantId!: string;

  /** Not loaded unless asked for; deleting the tenant deletes this row. */
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_conversations_tenant_id' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 512, nullable: true })
  title!: string | null;

  /** A rolling summary of the messages before `summarizedUpTo`, sent to the model instead of them. */
  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  /** Messages with `ordinal < summarizedUpTo` are folded into `summary`; 0 when nothing is summarised. */
  @Column({ type: 'integer', default: 0 })
  summarizedUpTo!: number;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
