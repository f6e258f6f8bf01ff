import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { IdentifiedEntity, type JsonObject, type JsonValue } from './base';
import { Tenant } from './tenant.entity';

/**
 * One run of an agent: its input, state, output and what it used. `version` is incremented by
 * every `save()`; writers that must not overwrite each other use `updateAgentRunIfVersion`
 * (compare-and-set) so a resumed run and a stale worker cannot both advance it.
 */
@Entity({ name: 'agent_runs' })
@Index('idx_agent_runs_tenant_id_state', ['tenantId', 'state'])
export class AgentRun extends IdentifiedEntity {
  @Index('idx_agent_runs_tenant_id')
  @Column({ type: 'uuid' })
  tenantId!: string;

  /** Not loaded unless asked for; deleting the tenant deletes this row. */
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_agent_runs_tenant_id' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 128 })
  agent!: string;

  /** The runtime's state name (`pending`, `running`, `waiting`, `completed`, `failed`, ...). */
  @Column({ type: 'varchar', length: 32 })
  state!: string;

  /** JSON `null` is stored as SQL NULL, hence nullable. */
  @Column({ type: 'jsonb', nullable: true })
  input!: JsonValue;

  @Column({ type: 'jsonb', nullable: true })
  output!: JsonValue | null;

  @Column({ type: 'jsonb', nullable: true })
  error!: JsonValue | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  model!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  promptVersion!: string | null;

  /** Tool name → version used by this run, for reproducing it. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  toolVersions!: JsonObject;

  /** Token and cost totals (`{ promptTokens, completionTokens, costUsd }`). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  usage!: JsonObject;

  @Column({ type: 'integer', default: 0 })
  stepCount!: number;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}
