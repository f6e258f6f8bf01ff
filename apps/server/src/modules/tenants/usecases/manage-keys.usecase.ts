import { Injectable } from '@nestjs/common';
import { TenantAuthenticator } from '../../../common/auth/tenant-authenticator';
import { NotFoundError } from '../../../common/errors';
import { type ApiKeyLimits, InjectTenantStore, type TenantStore } from '../tenant.store';

/** Key rotation (issue a new key, optionally revoking the old ones at once) and revocation. */
@Injectable()
export class ManageKeysUseCase {
  constructor(
    @InjectTenantStore() private readonly store: TenantStore,
    private readonly authenticator: TenantAuthenticator,
  ) {}

  async rotate(tenantId: string, revokeExisting: boolean, limits: Partial<ApiKeyLimits> = {}) {
    if (!(await this.store.getTenant(tenantId))) throw new NotFoundError('tenant', tenantId);
    const existing = await this.store.listKeys(tenantId);
    const { apiKey, key } = await this.store.createKey(tenantId, limits);
    if (revokeExisting) {
      for (const old of existing) if (old.revokedAt === null) await this.store.revokeKey(tenantId, old.id);
      this.authenticator.invalidate();
    }
    return {
      tenantId,
      keyId: key.id,
      apiKey,
      monthlyBudgetUsd: key.monthlyBudgetUsd,
      revoked: revokeExisting ? existing.map((old) => old.id) : [],
    };
  }

  /** Sets a key's own limits; other processes see them within the authenticator's cache TTL. */
  async update(tenantId: string, keyId: string, limits: Partial<ApiKeyLimits>) {
    const key = await this.store.updateKey(tenantId, keyId, limits);
    if (!key) throw new NotFoundError('API key', keyId);
    this.authenticator.invalidate();
    return key;
  }

  async revoke(tenantId: string, keyId: string) {
    if (!(await this.store.revokeKey(tenantId, keyId))) throw new NotFoundError('API key', keyId);
    this.authenticator.invalidate();
    return { tenantId, keyId, revoked: true };
  }

  async describe(tenantId: string) {
    const tenant = await this.store.getTenant(tenantId);
    if (!tenant) throw new NotFoundError('tenant', tenantId);
    return { ...tenant, keys: await this.store.listKeys(tenantId) };
  }
}
