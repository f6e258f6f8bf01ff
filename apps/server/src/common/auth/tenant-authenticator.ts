import { Injectable } from '@nestjs/common';
import { hashApiKey } from '../../modules/tenants/api-key';
import {
  type AuthenticatedTenant,
  InjectTenantStore,
  type TenantStore,
} from '../../modules/tenants/tenant.store';

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

/**
 * Resolves `Authorization: Bearer <key>` to its tenant by the key's hash, remembering answers for a
 * few seconds so a busy key costs one database read per TTL, not one per request. A revoked key
 * stops working at the latest `CACHE_TTL_MS` later in other processes, at once in this one.
 */
@Injectable()
export class TenantAuthenticator {
  private readonly cache = new Map<string, { tenant: AuthenticatedTenant | undefined; expiresAt: number }>();

  constructor(@InjectTenantStore() private readonly store: TenantStore) {}

  async authenticate(authorization: string | undefined): Promise<AuthenticatedTenant | undefined> {
    const apiKey = bearerToken(authorization);
    if (!apiKey) return undefined;
    const hash = hashApiKey(apiKey);
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > Date.now()) return cached.tenant;
    const tenant = await this.store.authenticate(hash);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { tenant, expiresAt: Date.now() + CACHE_TTL_MS });
    return tenant;
  }

  /** Forgets every cached answer (after a revocation or a limit change). */
  invalidate(): void {
    this.cache.clear();
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}
