import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { hashApiKey } from '../../modules/tenants/api-key';
import {
  type AuthenticatedTenant,
  InjectTenantStore,
  type TenantStore,
} from '../../modules/tenants/tenant.store';

/** How long an answer is cached: the bound on a revocation reaching other replicas (docs/security.md). */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

/**
 * Resolves `Authorization: Bearer <key>` to its tenant by the key's hash, remembering answers for a
 * few seconds so a busy key costs one database read per TTL, not one per request. A revoked key
 * stops working at the latest `CACHE_TTL_MS` later in other processes, at once in this one.
 */
@Injectable()
export class TenantAuthenticator {
  // lru-cache: the busiest keys stay, each answer expires CACHE_TTL_MS after it was read from the store.
  // Unknown keys are cached too (as `null`), so a flood of bad keys costs one read per key per TTL.
  private readonly cache = new LRUCache<string, { tenant: AuthenticatedTenant | null }>({
    max: CACHE_MAX,
    ttl: CACHE_TTL_MS,
    // The global monotonic clock, looked up at each call (lru-cache keeps the one it saw at import), so
    // a faked clock reaches it: security.e2e.test.ts proves the revocation bound with one.
    perf: { now: () => performance.now() },
  });

  constructor(@InjectTenantStore() private readonly store: TenantStore) {}

  async authenticate(authorization: string | undefined): Promise<AuthenticatedTenant | undefined> {
    const apiKey = bearerToken(authorization);
    if (!apiKey) return undefined;
    const hash = hashApiKey(apiKey);
    const cached = this.cache.get(hash);
    if (cached) return cached.tenant ?? undefined;
    const tenant = await this.store.authenticate(hash);
    this.cache.set(hash, { tenant: tenant ?? null });
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
