import { randomUUID } from 'node:crypto';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key';
import {
  type ApiKeyRecord,
  type AuthenticatedTenant,
  type TenantLimits,
  type TenantRecord,
  type TenantStore,
} from './tenant.store';

/** Tenants in memory: for tests and as the fallback while no database is configured. */
export class MemoryTenantStore implements TenantStore {
  private readonly tenants = new Map<string, TenantRecord>();
  private readonly keys = new Map<string, ApiKeyRecord & { hash: string }>();

  async createTenant(name: string, limits: Partial<TenantLimits> = {}) {
    const tenant: TenantRecord = {
      id: randomUUID(),
      name,
      createdAt: new Date(),
      monthlyBudgetUsd: limits.monthlyBudgetUsd ?? null,
      rateLimitPerMinute: limits.rateLimitPerMinute ?? null,
    };
    this.tenants.set(tenant.id, tenant);
    const { apiKey, key } = await this.createKey(tenant.id);
    return { tenant, apiKey, key };
  }

  async getTenant(id: string) {
    return this.tenants.get(id);
  }

  async listTenants() {
    return [...this.tenants.values()];
  }

  async updateLimits(id: string, limits: Partial<TenantLimits>) {
    const tenant = this.tenants.get(id);
    if (!tenant) return undefined;
    const updated = { ...tenant, ...definedOnly(limits) };
    this.tenants.set(id, updated);
    return updated;
  }

  async createKey(tenantId: string) {
    const apiKey = generateApiKey();
    const key = {
      id: randomUUID(),
      tenantId,
      prefix: apiKeyPrefix(apiKey),
      createdAt: new Date(),
      revokedAt: null,
      hash: hashApiKey(apiKey),
    };
    this.keys.set(key.id, key);
    const { hash: _hash, ...record } = key;
    return { apiKey, key: record };
  }

  async listKeys(tenantId: string) {
    return [...this.keys.values()]
      .filter((key) => key.tenantId === tenantId)
      .map(({ hash: _hash, ...record }) => record);
  }

  async revokeKey(tenantId: string, keyId: string) {
    const key = this.keys.get(keyId);
    if (!key || key.tenantId !== tenantId) return false;
    this.keys.set(keyId, { ...key, revokedAt: key.revokedAt ?? new Date() });
    return true;
  }

  async authenticate(keyHash: string): Promise<AuthenticatedTenant | undefined> {
    for (const key of this.keys.values()) {
      if (key.hash === keyHash && key.revokedAt === null) {
        const tenant = this.tenants.get(key.tenantId);
        return tenant ? { ...tenant, apiKeyId: key.id } : undefined;
      }
    }
    return undefined;
  }

  async ping() {}
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
