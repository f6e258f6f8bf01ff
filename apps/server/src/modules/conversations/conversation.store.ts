import { Inject } from '@nestjs/common';

export type MessageRole = 'user' | 'assistant';

export interface ConversationRecord {
  readonly id: string;
  readonly tenantId: string;
  /** Running summary of the turns older than `summarizedMessages` (made by the small tier). */
  readonly summary: string | null;
  readonly summarizedMessages: number;
  readonly createdAt: Date;
}

export interface MessageRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly role: MessageRole;
  readonly content: string;
  readonly tokens: number;
  readonly createdAt: Date;
  readonly seq: number;
}

/** Conversations and their messages, scoped by tenant. */
export interface ConversationStore {
  create(tenantId: string): Promise<ConversationRecord>;
  get(tenantId: string, id: string): Promise<ConversationRecord | undefined>;
  append(
    tenantId: string,
    conversationId: string,
    message: Pick<MessageRecord, 'role' | 'content' | 'tokens'>,
  ): Promise<MessageRecord>;
  /** Messages in order (oldest first). */
  messages(tenantId: string, conversationId: string): Promise<MessageRecord[]>;
  setSummary(
    tenantId: string,
    conversationId: string,
    summary: string,
    summarizedMessages: number,
  ): Promise<void>;
}

export const CONVERSATION_STORE = Symbol('CONVERSATION_STORE');
export const InjectConversationStore = (): PropertyDecorator & ParameterDecorator =>
  Inject(CONVERSATION_STORE);
