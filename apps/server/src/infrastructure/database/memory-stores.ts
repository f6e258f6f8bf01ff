import { randomUUID } from 'node:crypto';
import {
  type ConversationRecord,
  type ConversationStore,
  type MessageRecord,
} from '../../modules/conversations/conversation.store';
import {
  type DocumentRecord,
  type DocumentStore,
  type NewDocument,
} from '../../modules/documents/document.store';

/** Documents in memory (tests, and the shim until @ai-scale/persistence is wired). */
export class MemoryDocumentStore implements DocumentStore {
  private readonly documents = new Map<string, DocumentRecord>();

  async create(document: NewDocument) {
    const now = new Date();
    const record: DocumentRecord = {
      id: document.id ?? randomUUID(),
      tenantId: document.tenantId,
      title: document.title,
      contentType: document.contentType,
      sizeBytes: document.sizeBytes,
      metadata: document.metadata,
      status: 'queued',
      chunkCount: 0,
      jobId: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    this.documents.set(record.id, record);
    return record;
  }

  async get(tenantId: string, id: string) {
    const document = this.documents.get(id);
    return document?.tenantId === tenantId ? document : undefined;
  }

  async list(tenantId: string, page: { limit: number; offset: number }) {
    return [...this.documents.values()]
      .filter((document) => document.tenantId === tenantId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(page.offset, page.offset + page.limit);
  }

  async update(tenantId: string, id: string, patch: Partial<DocumentRecord>) {
    const document = await this.get(tenantId, id);
    if (!document) return undefined;
    const updated = { ...document, ...patch, updatedAt: new Date() };
    this.documents.set(id, updated);
    return updated;
  }

  async delete(tenantId: string, id: string) {
    if (!(await this.get(tenantId, id))) return false;
    return this.documents.delete(id);
  }

  async findByMetadata(tenantId: string, key: string, value: string) {
    return [...this.documents.values()].find(
      (document) => document.tenantId === tenantId && document.metadata[key] === value,
    );
  }
}

export class MemoryConversationStore implements ConversationStore {
  private readonly conversations = new Map<string, ConversationRecord>();
  private readonly messagesById = new Map<string, MessageRecord[]>();

  async create(tenantId: string) {
    const record: ConversationRecord = {
      id: randomUUID(),
      tenantId,
      summary: null,
      summarizedMessages: 0,
      createdAt: new Date(),
    };
    this.conversations.set(record.id, record);
    this.messagesById.set(record.id, []);
    return record;
  }

  async get(tenantId: string, id: string) {
    const conversation = this.conversations.get(id);
    return conversation?.tenantId === tenantId ? conversation : undefined;
  }

  async append(
    tenantId: string,
    conversationId: string,
    message: Pick<MessageRecord, 'role' | 'content' | 'tokens'>,
  ) {
    if (!(await this.get(tenantId, conversationId)))
      throw new Error(`conversation ${conversationId} not found`);
    const list = this.messagesById.get(conversationId) ?? [];
    const record: MessageRecord = {
      ...message,
      id: randomUUID(),
      conversationId,
      createdAt: new Date(),
      seq: list.length,
    };
    list.push(record);
    this.messagesById.set(conversationId, list);
    return record;
  }

  async messages(tenantId: string, conversationId: string) {
    if (!(await this.get(tenantId, conversationId))) return [];
    return [...(this.messagesById.get(conversationId) ?? [])];
  }

  async setSummary(tenantId: string, conversationId: string, summary: string, summarizedMessages: number) {
    const conversation = await this.get(tenantId, conversationId);
    if (conversation)
      this.conversations.set(conversationId, { ...conversation, summary, summarizedMessages });
  }
}
