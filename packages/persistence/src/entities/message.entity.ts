import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { IdentifiedEntity, type JsonValue } from './base';
import { Tenant } from './tenant.entity';
import { Conversation } from './conversation.entity';

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

/**
 * One message of a conversation. `(conversationId, ordinal)` is unique: two writers appending to
 * the same conversation cannot both take the same position (the second insert fails).
 */
@Entity({ name: 'messages' })
@Unique('uq_messages_conversation_ordinal', ['conversationId', 'ordinal'])
export class Message extends IdentifiedEntity {
  @Column({ type: 'uuid' })
  conversationId!: string;

  /** Not loaded unless asked for; deleting the conversation deletes this row. */
  @ManyToOne(() => Conversation, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'fk_messages_conversation_id' })
  conversation?: Conversation;

  @Index('idx_messages_tenant_id')
  @Column({ type: 'uuid' })
  tenantId!: string;

  /** Not loaded unless asked for; deleting the tenant deletes this row. */
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_messages_tenant_id' })
  tenant?: Tenant;

  /** Position in the conversation, from 0. */
  @Column({ type: 'integer' })
  ordinal!: number;

  @Column({ type: 'varchar', length: 16 })
  role!: MessageRole;

  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'integer', default: 0 })
  tokenCount!: number;

  /** The sources an answer cites (`[{ documentId, chunkId, ... }]`). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  citations!: JsonValue[];

  @CreateDateColumn()
  createdAt!: Date;
}
