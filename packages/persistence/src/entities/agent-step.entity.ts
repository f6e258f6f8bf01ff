import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { IdentifiedEntity, type JsonValue } from './base';
import { AgentRun } from './agent-run.entity';

/**
 * One step of an agent run (a model turn, a tool call, a decision). `(runId, ordinal)` is unique,
 * so a step replayed after a crash cannot be recorded twice. Deleted with its run.
 */
@Entity({ name: 'agent_steps' })
@Unique('uq_agent_steps_run_ordinal', ['runId', 'ordinal'])
export class AgentStep extends IdentifiedEntity {
  @Column({ type: 'uuid' })
  runId!: string;

  /** Not loaded unless asked for; deleting the run deletes this row. */
  @ManyToOne(() => AgentRun, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_agent_steps_run_id' })
  run?: AgentRun;

  @Column({ type: 'integer' })
  ordinal!: number;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  /** JSON `null` is stored as SQL NULL, hence nullable. */
  @Column({ type: 'jsonb', nullable: true })
  payload!: JsonValue;

  @CreateDateColumn()
  createdAt!: Date;
}
