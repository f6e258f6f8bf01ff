import { createHash, randomUUID } from 'node:crypto';
import { ApiKey, Conversation, Document, Message, Tenant, generateApiKey } from '@ai-scale/persistence';
import { IsNull, type DataSource } from 'typeorm';
import { isUuid } from '../../common/validation/uuid';
import {
  type ConversationRecord,
  type ConversationStore,
  type MessageRecord,
} from '../../modules/conversations/conversation.store';
import {
  type DocumentRecord,
  type DocumentStatus,
  type DocumentStore,
  type NewDocument,
} from '../../modules/documents/document.store';
import {
  type ApiKeyLimits,
  type ApiKeyRecord,
  type AuthenticatedTenant,
  type TenantLimits,
  type TenantRecord,
  type TenantStore,
} from '../../modules/tenants/tenant.store';

const toTenant = (tenant: Tenant): TenantRecord => ({
  id: tenant.id,
  name: tenant.name,
  createdAt: tenant.createdAt,
  monthlyBudgetUsd: tenant.monthlyBudgetUsd,
  rateLimitPerMinute: tenant.rateLimitPerMinute,
  tokensPerMinute: tenant.tokensPerMinute,
});

const toKey = (key: ApiKey): ApiKeyRecord => ({
  id: key.id,
  tenantId: key.tenantId,
  prefix: key.prefix,
  createdAt: key.createdAt,
  revokedAt: key.revokedAt,
  monthlyBudgetUsd: key.monthlyBudgetUsd,
});

/** Tenants and hashed API keys in the `tenants` / `api_keys` tables of @ai-scale/persistence. */
export class TypeormTenantStore implements TenantStore {
  constructor(private readonly dataSource: DataSource) {}

  async createTenant(name: string, limits: Partial<TenantLimits> = {}) {
    return this.dataSource.transaction(async (manager) => {
      const tenant = manager.create(Tenant, {
        id: randomUUID(),
        name,
        status: 'active',
        dailyBudgetUsd: null,
        monthlyBudgetUsd: limits.monthlyBudgetUsd ?? null,
        rateLimitPerMinute: limits.rateLimitPerMinute ?? null,
        tokensPerMinute: limits.tokensPerMinute ?? null,
      });
      await manager.save(tenant);
      const generated = generateApiKey();
      const key = manager.create(ApiKey, {
        id: randomUUID(),
        tenantId: tenant.id,
        prefix: generated.prefix,
        keyHash: generated.hash,
        name: null,
        monthlyBudgetUsd: null,
        lastUsedAt: null,
        revokedAt: null,
      });
      await manager.save(key);
      return { tenant: toTenant(tenant), apiKey: generated.plaintext, key: toKey(key) };
    });
  }

  async getTenant(id: string) {
    if (!isUuid(id)) return undefined;
    const tenant = await this.dataSource.getRepository(Tenant).findOneBy({ id });
    return tenant ? toTenant(tenant) : undefined;
  }

  async listTenants() {
    return (await this.dataSource.getRepository(Tenant).find({ order: { createdAt: 'ASC' } })).map(toTenant);
  }

  async updateLimits(id: string, limits: Partial<TenantLimits>) {
    if (!isUuid(id)) return undefined;
    const repository = this.dataSource.getRepository(Tenant);
    const tenant = await repository.findOneBy({ id });
    if (!tenant) return undefined;
    if (limits.monthlyBudgetUsd !== undefined) tenant.monthlyBudgetUsd = limits.monthlyBudgetUsd;
    if (limits.rateLimitPerMinute !== undefined) tenant.rateLimitPerMinute = limits.rateLimitPerMinute;
    if (limits.tokensPerMinute !== undefined) tenant.tokensPerMinute = limits.tokensPerMinute;
    return toTenant(await repository.save(tenant));
  }

  async createKey(tenantId: string, limits: Partial<ApiKeyLimits> = {}) {
    const generated = generateApiKey();
    const repository = this.dataSource.getRepository(ApiKey);
    const key = repository.create({
      id: randomUUID(),
      tenantId,
      prefix: generated.prefix,
      keyHash: generated.hash,
      name: null,
      monthlyBudgetUsd: limits.monthlyBudgetUsd ?? null,
      lastUsedAt: null,
      revokedAt: null,
    });
    await repository.save(key);
    return { apiKey: generated.plaintext, key: toKey(key) };
  }

  async updateKey(tenantId: string, keyId: string, limits: Partial<ApiKeyLimits>) {
    if (!isUuid(tenantId) || !isUuid(keyId)) return undefined;
    const repository = this.dataSource.getRepository(ApiKey);
    const key = await repository.findOneBy({ id: keyId, tenantId });
    if (!key) return undefined;
    if (limits.monthlyBudgetUsd !== undefined) key.monthlyBudgetUsd = limits.monthlyBudgetUsd;
    return toKey(await repository.save(key));
  }

  async listKeys(tenantId: string) {
    if (!isUuid(tenantId)) return [];
    return (
      await this.dataSource.getRepository(ApiKey).find({ where: { tenantId }, order: { createdAt: 'ASC' } })
    ).map(toKey);
  }

  async revokeKey(tenantId: string, keyId: string) {
    if (!isUuid(tenantId) || !isUuid(keyId)) return false;
    const result = await this.dataSource
      .getRepository(ApiKey)
      .update({ id: keyId, tenantId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if ((result.affected ?? 0) > 0) return true;
    return (await this.dataSource.getRepository(ApiKey).countBy({ id: keyId, tenantId })) > 0;
  }

  async authenticate(keyHash: string): Promise<AuthenticatedTenant | undefined> {
    const key = await this.dataSource.getRepository(ApiKey).findOneBy({ keyHash, revokedAt: IsNull() });
    if (!key) return undefined;
    const tenant = await this.dataSource.getRepository(Tenant).findOneBy({ id: key.tenantId });
    if (!tenant || tenant.status !== 'active') return undefined;
    return { ...toTenant(tenant), apiKeyId: key.id, apiKeyMonthlyBudgetUsd: key.monthlyBudgetUsd };
  }

  async ping() {
    await this.dataSource.query('SELECT 1');
  }
}

const JOB_ID_KEY = '_jobId';

function toDocument(document: Document): DocumentRecord {
  const { [JOB_ID_KEY]: jobId, ...metadata } = document.metadata as Record<string, string | number | boolean>;
  const error = document.error as { message?: string } | string | null;
  return {
    id: document.id,
    tenantId: document.tenantId,
    title: document.title,
    status: (document.status === 'pending' ? 'queued' : document.status) as DocumentStatus,
    contentType: document.mimeType,
    sizeBytes: document.sizeBytes,
    chunkCount: document.chunkCount,
    metadata,
    jobId: typeof jobId === 'string' ? jobId : null,
    error:
      error === null ? null : typeof error === 'string' ? error : (error.message ?? JSON.stringify(error)),
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

/** Documents in the `documents` table; every query carries the tenant id. */
export class TypeormDocumentStore implements DocumentStore {
  constructor(private readonly dataSource: DataSource) {}

  private get repository() {
    return this.dataSource.getRepository(Document);
  }

  async create(input: NewDocument) {
    const document = this.repository.create({
      id: input.id ?? randomUUID(),
      tenantId: input.tenantId,
      title: input.title ?? 'untitled',
      mimeType: input.contentType ?? 'application/octet-stream',
      sizeBytes: input.sizeBytes,
      contentHash: createHash('sha256')
        .update(`${input.tenantId}:${input.id ?? ''}:${input.sizeBytes}`)
        .digest('hex'),
      status: 'pending',
      error: null,
      metadata: { ...input.metadata },
      chunkCount: 0,
    });
    return toDocument(await this.repository.save(document));
  }

  async get(tenantId: string, id: string) {
    if (!isUuid(id)) return undefined;
    const document = await this.repository.findOneBy({ id, tenantId });
    return document && document.status !== 'deleted' ? toDocument(document) : undefined;
  }

  async list(tenantId: string, page: { limit: number; offset: number }) {
    const documents = await this.repository.find({
      where: { tenantId },
      order: { createdAt: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return documents.filter((document) => document.status !== 'deleted').map(toDocument);
  }

  async update(tenantId: string, id: string, patch: Parameters<DocumentStore['update']>[2]) {
    if (!isUuid(id)) return undefined;
    const document = await this.repository.findOneBy({ id, tenantId });
    if (!document || document.status === 'deleted') return undefined;
    if (patch.status !== undefined) document.status = patch.status === 'queued' ? 'pending' : patch.status;
    if (patch.chunkCount !== undefined) document.chunkCount = patch.chunkCount;
    if (patch.error !== undefined) document.error = patch.error === null ? null : { message: patch.error };
    if (patch.contentType !== undefined && patch.contentType !== null) document.mimeType = patch.contentType;
    if (patch.title !== undefined && patch.title !== null) document.title = patch.title;
    if (patch.jobId !== undefined) document.metadata = { ...document.metadata, [JOB_ID_KEY]: patch.jobId };
    return toDocument(await this.repository.save(document));
  }

  async delete(tenantId: string, id: string) {
    if (!isUuid(id)) return false;
    const result = await this.repository.delete({ id, tenantId });
    return (result.affected ?? 0) > 0;
  }

  async findByMetadata(tenantId: string, key: string, value: string) {
    // Small per-tenant scan (the demo corpus): JSON operators differ between SQLite and PostgreSQL.
    const documents = await this.repository.find({ where: { tenantId }, take: 1000 });
    const found = documents.find(
      (document) => document.status !== 'deleted' && document.metadata[key] === value,
    );
    return found ? toDocument(found) : undefined;
  }
}

const toConversation = (conversation: Conversation): ConversationRecord => ({
  id: conversation.id,
  tenantId: conversation.tenantId,
  summary: conversation.summary,
  summarizedMessages: conversation.summarizedUpTo,
  createdAt: conversation.createdAt,
});

/** Conversations and messages; messages are ordered by a per-conversation ordinal (unique). */
export class TypeormConversationStore implements ConversationStore {
  constructor(private readonly dataSource: DataSource) {}

  async create(tenantId: string) {
    const repository = this.dataSource.getRepository(Conversation);
    const conversation = repository.create({
      id: randomUUID(),
      tenantId,
      title: null,
      summary: null,
      summarizedUpTo: 0,
    });
    return toConversation(await repository.save(conversation));
  }

  async get(tenantId: string, id: string) {
    if (!isUuid(id)) return undefined;
    const conversation = await this.dataSource.getRepository(Conversation).findOneBy({ id, tenantId });
    return conversation ? toConversation(conversation) : undefined;
  }

  async append(
    tenantId: string,
    conversationId: string,
    message: Pick<MessageRecord, 'role' | 'content' | 'tokens'>,
  ) {
    return this.dataSource.transaction(async (manager) => {
      const conversation = await manager.findOneBy(Conversation, { id: conversationId, tenantId });
      if (!conversation) throw new Error(`conversation ${conversationId} not found`);
      const last = await manager.findOne(Message, { where: { conversationId }, order: { ordinal: 'DESC' } });
      const saved = await manager.save(
        manager.create(Message, {
          id: randomUUID(),
          conversationId,
          tenantId,
          ordinal: (last?.ordinal ?? -1) + 1,
          role: message.role,
          content: message.content,
          tokenCount: message.tokens,
          citations: [],
        }),
      );
      return toMessage(saved);
    });
  }

  async messages(tenantId: string, conversationId: string) {
    if (!isUuid(conversationId)) return [];
    const messages = await this.dataSource
      .getRepository(Message)
      .find({ where: { conversationId, tenantId }, order: { ordinal: 'ASC' } });
    return messages.map(toMessage);
  }

  async setSummary(tenantId: string, conversationId: string, summary: string, summarizedMessages: number) {
    await this.dataSource
      .getRepository(Conversation)
      .update({ id: conversationId, tenantId }, { summary, summarizedUpTo: summarizedMessages });
  }
}

function toMessage(message: Message): MessageRecord {
  return {
    id: message.id,
    conversationId: message.conversationId,
    role: message.role === 'assistant' ? 'assistant' : 'user',
    content: message.content,
    tokens: message.tokenCount,
    createdAt: message.createdAt,
    seq: message.ordinal,
  };
}
