import { Inject } from '@nestjs/common';

export interface TenantLimits {
  /** Monthly LLM budget in USD; `null`: unlimited (the server-wide LLM_TENANT_BUDGET_USD applies). */
  readonly monthlyBudgetUsd: number | null;
  /** Requests per minute per API key; `null`: the server-wide RATE_LIMIT_PER_MINUTE. */
  readonly rateLimitPerMinute: number | null;
  /** LLM tokens per minute across the tenant's calls; `null`: the server-wide LLM_TENANT_TOKENS_PER_MINUTE. */
  readonly tokensPerMinute: number | null;
}

export interface TenantRecord extends TenantLimits {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  /** This key's own monthly LLM budget in USD, reserved against beside the tenant's; `null`: none. */
  readonly monthlyBudgetUsd: number | null;
}

export interface ApiKeyLimits {
  readonly monthlyBudgetUsd: number | null;
}

/** The tenant an API key authenticates, as the request pipeline sees it. */
export interface AuthenticatedTenant extends TenantRecord {
  readonly apiKeyId: string;
  /** The key's own monthly budget (see `ApiKeyRecord.monthlyBudgetUsd`). */
  readonly apiKeyMonthlyBudgetUsd: number | null;
}

/**
 * Tenants and their API keys. Keys are stored hashed (never in plain text): the plain key exists
 * only in the return value of `createTenant` / `createKey`.
 */
export interface TenantStore {
  createTenant(
    name: string,
    limits?: Partial<TenantLimits>,
  ): Promise<{ tenant: TenantRecord; apiKey: string; key: ApiKeyRecord }>;
  getTenant(id: string): Promise<TenantRecord | undefined>;
  listTenants(): Promise<TenantRecord[]>;
  updateLimits(id: string, limits: Partial<TenantLimits>): Promise<TenantRecord | undefined>;
  /** A new key for the tenant; the existing keys stay valid until revoked. */
  createKey(tenantId: string, limits?: Partial<ApiKeyLimits>): Promise<{ apiKey: string; key: ApiKeyRecord }>;
  /** Sets a key's limits; undefined when the key does not exist or belongs to another tenant. */
  updateKey(
    tenantId: string,
    keyId: string,
    limits: Partial<ApiKeyLimits>,
  ): Promise<ApiKeyRecord | undefined>;
  listKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  /** Returns false when the key does not exist or belongs to another tenant. */
  revokeKey(tenantId: string, keyId: string): Promise<boolean>;
  /** The tenant of an unrevoked key, by the key's hash. */
  authenticate(keyHash: string): Promise<AuthenticatedTenant | undefined>;
  ping(): Promise<void>;
}

export const TENANT_STORE = Symbol('TENANT_STORE');
export const InjectTenantStore = (): PropertyDecorator & ParameterDecorator => Inject(TENANT_STORE);
