import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { IdentifiedEntity, type JsonValue } from './base';
import { AgentRun } from './agent-run.entity';

/**
 * The result of a completed tool call, keyed by its idempotency key (unique across runs): the agent
 * runtime looks here before calling a tool, so a call that completed is never made twice, even
 * when the run is resumed on another worker. Deleted with its run.
 */
@Entity({ name: 'tool_call_records' })
export class ToolCallRecord extends IdentifiedEntity {
  @Index('idx_tool_call_records_run_id')
  @Column({ type: 'uuid' })
  runId!: string;

  /** Not loaded unless asked for; deleting the run deletes this row. */
  @ManyToOne(() => AgentRun, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_tool_call_records_run_id' })
  run?: AgentRun;

  @Index('uq_tool_call_records_idempotency_key', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  idempotencyKey!: string;

  @Column({ type: 'jsonb', nullable: true })
  result!: JsonValue | null;

  @CreateDateColumn()
  createdAt!: Date;
}
